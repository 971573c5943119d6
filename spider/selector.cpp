#include "spider/selector.hpp"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

#include "spider/detail/css_match.hpp"
#include "spider/detail/css_program.hpp"
#include "spider/detail/libxml_support.hpp"
#include "spider/detail/selector_internals.hpp"

namespace interloop::spider {
namespace detail {

Selector SelectorFactory::node(const std::shared_ptr<const HtmlDocument>& document,
                               _xmlNode* node) {
    SelectorKind kind = SelectorKind::node;
    switch (node->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            kind = SelectorKind::text;
            break;
        case XML_ATTRIBUTE_NODE:
            kind = SelectorKind::attribute;
            break;
        default:
            break;
    }
    return Selector(document, node, kind, {});
}

Selector SelectorFactory::value(const std::shared_ptr<const HtmlDocument>& document,
                                std::string value) {
    return Selector(document, nullptr, SelectorKind::value, std::move(value));
}

}  // namespace detail

namespace {

const char* chars(const xmlChar* s) {
    return s != nullptr ? reinterpret_cast<const char*>(s) : "";
}

std::string attribute_value(const xmlAttr* a) {
    const xmlNode* child = a->children;
    if (child == nullptr) return {};
    if (child->next == nullptr && child->type == XML_TEXT_NODE) return chars(child->content);
    xmlChar* value = xmlNodeListGetString(a->doc, a->children, 1);
    std::string out = chars(value);
    xmlFree(value);
    return out;
}

/// Outer HTML, as lxml's tostring(method="html", with_tail=False).
std::string serialize(xmlDocPtr doc, xmlNodePtr node) {
    detail::LibxmlQuiet quiet;
    xmlOutputBufferPtr buffer = xmlAllocOutputBuffer(nullptr);
    if (buffer == nullptr) throw std::bad_alloc();
    htmlNodeDumpFormatOutput(buffer, doc, node, nullptr, 0);
    xmlOutputBufferFlush(buffer);
    std::string out(chars(xmlOutputBufferGetContent(buffer)), xmlOutputBufferGetSize(buffer));
    xmlOutputBufferClose(buffer);
    return out;
}

void css_into(const detail::CssProgram& program, const Selector& context,
              std::vector<Selector>& out) {
    if (context.kind() != SelectorKind::node) return;
    if (program.needs_xpath) {
        detail::evaluate_xpath(program.xpath, context, out);
        return;
    }
    thread_local std::vector<xmlNodePtr> nodes;
    nodes.clear();
    detail::match_css(program, context.node(), nodes);
    out.reserve(out.size() + nodes.size());
    for (xmlNodePtr n : nodes) out.push_back(detail::SelectorFactory::node(context.document(), n));
}

}  // namespace

Selector::Selector(std::shared_ptr<const HtmlDocument> document) : doc_(std::move(document)) {
    if (doc_ == nullptr) throw std::invalid_argument("Selector needs a document");
    node_ = doc_->root();
}

Selector::Selector(std::shared_ptr<const HtmlDocument> document, _xmlNode* node, SelectorKind kind,
                   std::string value)
    : doc_(std::move(document)), node_(node), kind_(kind), value_(std::move(value)) {}

Selector Selector::from_html(std::string_view body, std::string_view base_url,
                             std::string_view encoding) {
    return Selector(HtmlDocument::parse(body, base_url, encoding));
}

SelectorList Selector::xpath(std::string_view expression) const {
    std::vector<Selector> out;
    detail::evaluate_xpath(expression, *this, out);
    return SelectorList(std::move(out));
}

SelectorList Selector::css(std::string_view query) const {
    const auto program = detail::compile_css(query);
    std::vector<Selector> out;
    css_into(*program, *this, out);
    return SelectorList(std::move(out));
}

std::string Selector::get() const {
    switch (kind_) {
        case SelectorKind::text:
            return chars(node_->content);
        case SelectorKind::attribute:
            return attribute_value(reinterpret_cast<xmlAttr*>(node_));
        case SelectorKind::value:
            return value_;
        case SelectorKind::node:
            break;
    }
    return serialize(doc_->xml_doc(), node_);
}

std::vector<std::string> Selector::getall() const {
    return {get()};
}

std::vector<std::string> Selector::re(std::string_view pattern, Entities entities) const {
    return detail::extract_regex(pattern, get(), entities);
}

std::optional<std::string> Selector::re_first(std::string_view pattern, Entities entities) const {
    std::vector<std::string> found = re(pattern, entities);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

std::string Selector::re_first(std::string_view pattern, std::string default_value,
                               Entities entities) const {
    return re_first(pattern, entities).value_or(std::move(default_value));
}

std::optional<std::string> Selector::attrib(std::string_view name) const {
    if (kind_ != SelectorKind::node || node_->type != XML_ELEMENT_NODE) return std::nullopt;
    for (const xmlAttr* a = node_->properties; a != nullptr; a = a->next) {
        if (chars(a->name) == name) return attribute_value(a);
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Selector::attributes() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (kind_ != SelectorKind::node || node_->type != XML_ELEMENT_NODE) return out;
    for (const xmlAttr* a = node_->properties; a != nullptr; a = a->next) {
        out.emplace_back(chars(a->name), attribute_value(a));
    }
    return out;
}

SelectorList SelectorList::xpath(std::string_view expression) const {
    std::vector<Selector> out;
    for (const Selector& s : items_) detail::evaluate_xpath(expression, s, out);
    return SelectorList(std::move(out));
}

SelectorList SelectorList::css(std::string_view query) const {
    const auto program = detail::compile_css(query);
    std::vector<Selector> out;
    for (const Selector& s : items_) css_into(*program, s, out);
    return SelectorList(std::move(out));
}

std::optional<std::string> SelectorList::get() const {
    if (items_.empty()) return std::nullopt;
    return items_.front().get();
}

std::string SelectorList::get(std::string_view default_value) const {
    return items_.empty() ? std::string(default_value) : items_.front().get();
}

std::vector<std::string> SelectorList::getall() const {
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const Selector& s : items_) out.push_back(s.get());
    return out;
}

std::vector<std::string> SelectorList::re(std::string_view pattern, Entities entities) const {
    std::vector<std::string> out;
    for (const Selector& s : items_) {
        for (std::string& found : s.re(pattern, entities)) out.push_back(std::move(found));
    }
    return out;
}

std::optional<std::string> SelectorList::re_first(std::string_view pattern,
                                                  Entities entities) const {
    for (const Selector& s : items_) {
        if (auto found = s.re_first(pattern, entities)) return found;
    }
    return std::nullopt;
}

std::string SelectorList::re_first(std::string_view pattern, std::string default_value,
                                   Entities entities) const {
    return re_first(pattern, entities).value_or(std::move(default_value));
}

std::optional<std::string> SelectorList::attrib(std::string_view name) const {
    if (items_.empty()) return std::nullopt;
    return items_.front().attrib(name);
}

std::vector<std::pair<std::string, std::string>> SelectorList::attributes() const {
    if (items_.empty()) return {};
    return items_.front().attributes();
}

}  // namespace interloop::spider
