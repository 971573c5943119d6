// XPath evaluation: one libxml2 XPath context per thread (its function table is built once,
// not per query) and a per-thread cache of compiled expressions.

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>

#include "spider/detail/libxml_support.hpp"
#include "spider/detail/selector_internals.hpp"
#include "spider/detail/string_hash.hpp"

namespace interloop::spider::detail {
namespace {

constexpr std::size_t cache_capacity = 256;

/// This thread's XPath context and compiled expressions.
class XPathState {
public:
    XPathState() {
        init_libxml();
        ctx_ = xmlXPathNewContext(nullptr);
        if (ctx_ == nullptr) throw std::bad_alloc();
        ctx_->error = &XPathState::record_error;  // libxml2 reports here instead of stderr
        ctx_->userData = this;
        xmlXPathContextSetCache(ctx_, 1, -1, 0);  // reuse XPath objects between evaluations
    }
    ~XPathState() {
        clear();
        xmlXPathFreeContext(ctx_);
    }
    XPathState(const XPathState&) = delete;
    XPathState& operator=(const XPathState&) = delete;

    /// The compiled form of `expression`, compiling it on a miss.
    xmlXPathCompExprPtr compiled(std::string_view expression) {
        if (auto it = cache_.find(expression); it != cache_.end()) return it->second;
        std::string key(expression);
        error_.clear();
        xmlXPathCompExprPtr comp = nullptr;
        if (key.find('\0') == std::string::npos) {
            LibxmlQuiet quiet;
            comp = xmlXPathCtxtCompile(ctx_, BAD_CAST key.c_str());
        } else {
            error_ = "NUL character in expression";
        }
        ++compilations_;
        if (comp == nullptr) {
            throw SelectorSyntaxError("xpath", expression,
                                      error_.empty() ? "invalid expression" : error_);
        }
        if (cache_.size() >= cache_capacity) clear();
        cache_.emplace(std::move(key), comp);
        return comp;
    }

    /// Evaluates `comp` at `node` of `doc`; the caller frees the result. Throws on errors.
    xmlXPathObjectPtr evaluate(std::string_view expression, xmlXPathCompExprPtr comp, xmlDocPtr doc,
                               xmlNodePtr node) {
        ctx_->doc = doc;
        ctx_->node = node;
        ctx_->contextSize = -1;
        ctx_->proximityPosition = -1;
        error_.clear();
        xmlXPathObjectPtr result;
        {
            LibxmlQuiet quiet;
            result = xmlXPathCompiledEval(comp, ctx_);
        }
        ctx_->doc = nullptr;
        ctx_->node = nullptr;
        if (result == nullptr) {
            throw SelectorSyntaxError("xpath", expression,
                                      error_.empty() ? "evaluation failed" : error_);
        }
        return result;
    }

    std::size_t compilations() const noexcept { return compilations_; }

private:
    static void record_error(void* user, xmlErrorPtr error) {
        auto* self = static_cast<XPathState*>(user);
        if (error == nullptr || error->message == nullptr || !self->error_.empty()) return;
        self->error_ = error->message;
        while (!self->error_.empty() && self->error_.back() == '\n') self->error_.pop_back();
    }

    void clear() {
        for (auto& entry : cache_) xmlXPathFreeCompExpr(entry.second);
        cache_.clear();
    }

    xmlXPathContextPtr ctx_ = nullptr;
    std::unordered_map<std::string, xmlXPathCompExprPtr, StringHash, std::equal_to<>> cache_;
    std::string error_;
    std::size_t compilations_ = 0;
};

XPathState& state() {
    thread_local XPathState s;
    return s;
}

}  // namespace

void evaluate_xpath(std::string_view expression, const Selector& context,
                    std::vector<Selector>& out) {
    XPathState& xs = state();
    xmlXPathCompExprPtr comp = xs.compiled(expression);
    if (context.kind() != SelectorKind::node) return;  // parsel: strings select nothing
    const auto& doc = context.document();
    std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObjectPtr)> result(
        xs.evaluate(expression, comp, doc->xml_doc(), context.node()), xmlXPathFreeObject);
    switch (result->type) {
        case XPATH_NODESET: {
            const xmlNodeSetPtr set = result->nodesetval;
            if (set == nullptr) return;
            out.reserve(out.size() + static_cast<std::size_t>(set->nodeNr));
            for (int i = 0; i < set->nodeNr; ++i) {
                xmlNodePtr n = set->nodeTab[i];
                if (n->type == XML_NAMESPACE_DECL) {  // a copy freed with the result: keep its URI
                    const auto* ns = reinterpret_cast<const xmlNs*>(n);
                    out.push_back(SelectorFactory::value(
                        doc, ns->href ? reinterpret_cast<const char*>(ns->href) : ""));
                } else {
                    out.push_back(SelectorFactory::node(doc, n));
                }
            }
            return;
        }
        case XPATH_BOOLEAN:
            out.push_back(SelectorFactory::value(doc, result->boolval ? "1" : "0"));
            return;
        case XPATH_NUMBER:
            out.push_back(SelectorFactory::value(doc, python_float(result->floatval)));
            return;
        case XPATH_STRING:
            out.push_back(SelectorFactory::value(
                doc, result->stringval ? reinterpret_cast<const char*>(result->stringval) : ""));
            return;
        default:
            return;
    }
}

std::size_t xpath_compilations() noexcept {
    return state().compilations();
}

std::string python_float(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));  // -d.ddde+XX
    std::string out = std::signbit(value) ? "-" : "";
    const std::size_t e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e)) {
        if (c >= '0' && c <= '9') digits += c;
    }
    int exponent = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                    exponent);
    const int point = exponent + 1;  // value = 0.digits × 10^point
    const int n = static_cast<int>(digits.size());
    if (point <= -4 || point > 16) {
        out += digits[0];
        if (n > 1) out += "." + digits.substr(1);
        const int x = point - 1;
        out += x < 0 ? "e-" : "e+";
        if (std::abs(x) < 10) out += '0';
        out += std::to_string(std::abs(x));
    } else if (point <= 0) {
        out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    } else if (point >= n) {
        out += digits + std::string(static_cast<std::size_t>(point - n), '0') + ".0";
    } else {
        out += digits.substr(0, static_cast<std::size_t>(point)) + "." +
               digits.substr(static_cast<std::size_t>(point));
    }
    return out;
}

}  // namespace interloop::spider::detail
