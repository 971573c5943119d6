// The translator: cssselect's XPathExpr building (conditions folded as "(a) and (b)", joins,
// name tests) and parsel's pseudo-element rewriting, reproduced string for string. Also the
// per-thread cache of compiled selectors.

#include "spider/css_to_xpath.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "spider/detail/css_program.hpp"
#include "spider/detail/string_hash.hpp"

namespace interloop::spider {
namespace detail {
namespace {

/// cssselect's XPathExpr: `path` + `element` + `[condition]`.
struct XExpr {
    std::string path;
    std::string element = "*";
    std::string condition;

    std::string str() const {
        std::string out = path + element;
        if (!condition.empty()) out += "[" + condition + "]";
        return out;
    }
};

/// cssselect's xpath_literal: '...' or "..." or concat(...) when both quotes appear.
std::string literal(std::string_view s) {
    if (s.find('\'') == std::string_view::npos) return fmt::format("'{}'", s);
    if (s.find('"') == std::string_view::npos) return fmt::format("\"{}\"", s);
    // re.split("('+)") keeps the runs of quotes as parts of their own.
    std::string out = "concat(";
    bool first = true;
    std::size_t i = 0;
    while (i < s.size()) {
        const bool quotes = s[i] == '\'';
        std::size_t j = i;
        while (j < s.size() && (s[j] == '\'') == quotes) ++j;
        if (!first) out += ',';
        first = false;
        out += quotes ? fmt::format("\"{}\"", s.substr(i, j - i))
                      : fmt::format("'{}'", s.substr(i, j - i));
        i = j;
    }
    return out + ")";
}

void add_condition(XExpr& x, std::string_view condition) {
    if (x.condition.empty()) {
        x.condition = condition;
    } else {
        x.condition = fmt::format("({}) and ({})", x.condition, condition);
    }
}

void add_name_test(XExpr& x) {
    if (x.element == "*") return;
    add_condition(x, "name() = " + literal(x.element));
    x.element = "*";
}

void join(XExpr& left, std::string_view combiner, const XExpr& right) {
    left.path = left.str() + std::string(combiner) + right.path;
    left.element = right.element;
    left.condition = right.condition;
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

bool has_css_whitespace(std::string_view s) {
    return s.find_first_of(" \t\r\n\f") != std::string_view::npos;
}

std::string attribute_condition(const CssCondition& c) {
    const std::string n =
        c.safe_name ? "@" + c.name : fmt::format("attribute::*[name() = {}]", literal(c.name));
    const std::string& v = c.value;
    switch (c.op) {
        case AttrOp::exists:
            return n;
        case AttrOp::equals:
            return fmt::format("{} = {}", n, literal(v));
        case AttrOp::different:
            if (v.empty()) return fmt::format("{} != {}", n, literal(v));
            return fmt::format("not({0}) or {0} != {1}", n, literal(v));
        case AttrOp::includes:
            if (v.empty() || has_css_whitespace(v)) return "0";
            return fmt::format("{0} and contains(concat(' ', normalize-space({0}), ' '), {1})", n,
                               literal(" " + v + " "));
        case AttrOp::dash_match:
            return fmt::format("{0} and ({0} = {1} or starts-with({0}, {2}))", n, literal(v),
                               literal(v + "-"));
        case AttrOp::prefix:
            if (v.empty()) return "0";
            return fmt::format("{0} and starts-with({0}, {1})", n, literal(v));
        case AttrOp::suffix:
            if (v.empty()) return "0";
            return fmt::format("{0} and substring({0}, string-length({0})-{1}) = {2}", n,
                               code_points(v) - 1, literal(v));
        case AttrOp::substring:
            if (v.empty()) return "0";
            return fmt::format("{0} and contains({0}, {1})", n, literal(v));
    }
    return "0";
}

long long floor_mod(long long x, long long m) {  // Python's %, for m > 0
    const long long r = x % m;
    return r < 0 ? r + m : r;
}

/// cssselect's xpath_nth_child_function, with its early exits and simplifications.
void add_nth_condition(XExpr& x, long long a, long long b, bool last) {
    const long long b_min_1 = b - 1;
    if (a == 1 && b_min_1 <= 0) return;
    if (a < 0 && b_min_1 < 0) {
        add_condition(x, "0");
        return;
    }
    const std::string count = last ? "count(following-sibling::*)" : "count(preceding-sibling::*)";
    if (a == 0) {
        add_condition(x, fmt::format("{} = {}", count, b_min_1));
        return;
    }
    std::vector<std::string> expressions;
    if (a > 0) {
        if (b_min_1 > 0) expressions.push_back(fmt::format("{} >= {}", count, b_min_1));
    } else {
        expressions.push_back(fmt::format("{} <= {}", count, b_min_1));
    }
    if (a != 1 && a != -1) {
        std::string left = count;
        const long long b_neg = floor_mod(-b_min_1, a < 0 ? -a : a);
        if (b_neg != 0) left = fmt::format("({} +{})", left, b_neg);
        expressions.push_back(fmt::format("{} mod {} = 0", left, a));
    }
    std::string joined;
    for (const std::string& e : expressions) {
        if (!joined.empty()) joined += " and ";
        joined += expressions.size() > 1 ? "(" + e + ")" : e;
    }
    add_condition(x, joined);
}

XExpr translate_compound(const CssCompound& compound) {
    XExpr x;
    if (!compound.element.empty()) x.element = compound.element;
    if (!compound.safe_element) add_name_test(x);
    for (const CssCondition& c : compound.conditions) {
        switch (c.kind) {
            case CssCondition::Kind::attribute:
                add_condition(x, attribute_condition(c));
                break;
            case CssCondition::Kind::first_child:
                add_condition(x, "count(preceding-sibling::*) = 0");
                break;
            case CssCondition::Kind::last_child:
                add_condition(x, "count(following-sibling::*) = 0");
                break;
            case CssCondition::Kind::only_child:
                add_condition(x, "count(parent::*/child::*) = 1");
                break;
            case CssCondition::Kind::nth_child:
                add_nth_condition(x, c.a, c.b, false);
                break;
            case CssCondition::Kind::nth_last_child:
                add_nth_condition(x, c.a, c.b, true);
                break;
            case CssCondition::Kind::negation: {
                XExpr sub = translate_compound(c.negated.front());
                add_name_test(sub);
                add_condition(x, sub.condition.empty() ? "0" : "not(" + sub.condition + ")");
                break;
            }
        }
    }
    return x;
}

/// An XPath NCName made of ASCII name characters or any non-ASCII: [A-Za-z_][A-Za-z0-9._-]*.
bool plain_name(std::string_view name) {
    const auto start = [](unsigned char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    };
    if (name.empty() || !start(static_cast<unsigned char>(name[0]))) return false;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (!start(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-') return false;
    }
    return true;
}

/// Translates one complex selector and sets its `output` (how the matcher reproduces it).
std::string translate(CssComplex& s) {
    XExpr x = translate_compound(s.compounds.front());
    for (std::size_t i = 1; i < s.compounds.size(); ++i) {
        const XExpr right = translate_compound(s.compounds[i]);
        switch (s.combinators[i - 1]) {
            case ' ':
                join(x, "/descendant-or-self::*/", right);
                break;
            case '>':
                join(x, "/", right);
                break;
            case '+':
                join(x, "/following-sibling::", right);
                add_name_test(x);
                add_condition(x, "position() = 1");
                break;
            default:
                join(x, "/following-sibling::", right);
                break;
        }
    }
    std::string path = x.str();
    // parsel's rewrite of a final "::*/*": the last step is dropped and its axis kept.
    const bool star_step = path.ends_with("::*/*");
    const bool descendant_star = star_step && !s.combinators.empty() && s.combinators.back() == ' ';
    if (star_step && !descendant_star && s.pseudo != CssComplex::Pseudo::none) {
        s.needs_xpath = true;  // "X ~ * > *::text": rare; libxml2 evaluates it
    }
    if (s.pseudo == CssComplex::Pseudo::text) {
        if (path == "*") {
            path = "text()";
            s.output = CssOutput::text_all;
        } else if (star_step) {
            path = path.substr(0, path.size() - 3) + "text()";
            s.output = CssOutput::text_descendants;
        } else {
            path += "/text()";
            s.output = CssOutput::text_children;
        }
    } else if (s.pseudo == CssComplex::Pseudo::attribute) {
        s.output = CssOutput::attribute_of;
        if (star_step) {
            path.resize(path.size() - 2);
            s.output = CssOutput::attribute_dos;
        }
        path += "/@" + s.pseudo_attribute;
        // An attribute name that is not a plain XPath name is left to libxml2 to judge.
        if (!plain_name(s.pseudo_attribute)) s.needs_xpath = true;
    }
    return "descendant-or-self::" + path;
}

constexpr std::size_t cache_capacity = 256;  // parsel's lru_cache(maxsize=256)

}  // namespace

std::shared_ptr<const CssProgram> compile_css(std::string_view css) {
    thread_local std::unordered_map<std::string, std::shared_ptr<const CssProgram>, StringHash,
                                    std::equal_to<>>
        cache;
    if (auto it = cache.find(css); it != cache.end()) return it->second;

    auto program = std::make_shared<CssProgram>();
    program->selectors = parse_css(css);
    for (CssComplex& s : program->selectors) {
        if (!program->xpath.empty()) program->xpath += " | ";
        program->xpath += translate(s);
        program->needs_xpath = program->needs_xpath || s.needs_xpath;
        program->has_sibling_combinator =
            program->has_sibling_combinator || s.has_sibling_combinator;
    }
    if (cache.size() >= cache_capacity) cache.clear();  // simple and bounded
    cache.emplace(std::string(css), program);
    return program;
}

}  // namespace detail

std::string css_to_xpath(std::string_view css) {
    return detail::compile_css(css)->xpath;
}

}  // namespace interloop::spider
