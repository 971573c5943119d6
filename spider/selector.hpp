#pragma once
// Selector and SelectorList: parsel's selectors on libxml2 — xpath(), css(), get(), getall(),
// re(), attrib() — with parsel's results, node for node and string for string.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spider/errors.hpp"
#include "spider/html_document.hpp"

namespace interloop::spider {

class SelectorList;
namespace detail {
struct SelectorFactory;
}

/// What a Selector stands for, which decides what `get()` returns.
enum class SelectorKind {
    node,       ///< an element (or comment, or the document): `get()` is its outer HTML
    text,       ///< a text node: `get()` is its text
    attribute,  ///< an attribute: `get()` is its value
    value,      ///< a string, number or boolean computed by XPath: `get()` is it as parsel
                ///< prints it ("text", "3.0", "1"/"0")
};

/// Whether `re()` decodes character references in what it returns (parsel's
/// `replace_entities`): all but `&lt;` and `&amp;`, as w3lib's `replace_entities(keep=...)`.
enum class Entities { replace, keep };

/// One selected thing in a parsed document: a node, or a value. Keeps the document alive.
/// Cheap to copy (a shared pointer and a node pointer). Text, attribute and value selectors
/// select nothing further (parsel turns them into strings).
class Selector {
public:
    /// The root selector of `document` (not null): its root element, as parsel's
    /// `Selector(text=...)`.
    explicit Selector(std::shared_ptr<const HtmlDocument> document);
    /// Parses `body` (see HtmlDocument::parse) and returns its root selector.
    static Selector from_html(std::string_view body, std::string_view base_url = {},
                              std::string_view encoding = {});

    /// Evaluates the XPath 1.0 `expression` with this node as the context node. Compiled
    /// expressions are cached per thread. Throws SelectorSyntaxError if libxml2 rejects it.
    SelectorList xpath(std::string_view expression) const;
    /// Selects with a CSS selector (see css_to_xpath for the subset): the same result as
    /// `xpath(css_to_xpath(query))`, computed by matching directly on the tree.
    SelectorList css(std::string_view query) const;

    /// parsel's `get()`: outer HTML for a node, the text for a text node, the value for an
    /// attribute, the computed value for a value.
    std::string get() const;
    /// `{get()}`.
    std::vector<std::string> getall() const;
    /// parsel's `re()` on `get()`: with no group the whole matches, else every group of every
    /// match in order (an unmatched group gives ""); a group named `extract` gives only that
    /// group of the first match. Perl syntax (Boost.Regex), `(?P<name>...)` accepted, byte-wise
    /// on UTF-8. Throws SelectorSyntaxError for a malformed pattern.
    std::vector<std::string> re(std::string_view pattern,
                                Entities entities = Entities::replace) const;
    /// The first string `re()` gives, or nothing.
    std::optional<std::string> re_first(std::string_view pattern,
                                        Entities entities = Entities::replace) const;
    /// The first string `re()` gives, or `default_value`.
    std::string re_first(std::string_view pattern, std::string default_value,
                         Entities entities = Entities::replace) const;

    /// The value of attribute `name` of this element; nothing if it has none or this is not an
    /// element.
    std::optional<std::string> attrib(std::string_view name) const;
    /// All attributes of this element in document order (parsel's `.attrib`); empty for
    /// anything but an element.
    std::vector<std::pair<std::string, std::string>> attributes() const;

    SelectorKind kind() const noexcept { return kind_; }
    /// The document this selector points into.
    const std::shared_ptr<const HtmlDocument>& document() const noexcept { return doc_; }
    /// The libxml2 node (an attribute is an `xmlAttr` cast to `xmlNode`); null for a value.
    _xmlNode* node() const noexcept { return node_; }

private:
    friend struct detail::SelectorFactory;
    Selector(std::shared_ptr<const HtmlDocument> document, _xmlNode* node, SelectorKind kind,
             std::string value);

    std::shared_ptr<const HtmlDocument> doc_;
    _xmlNode* node_ = nullptr;
    SelectorKind kind_ = SelectorKind::node;
    std::string value_;  // for SelectorKind::value
};

/// A list of selectors (parsel's SelectorList): selection maps over the items and flattens,
/// extraction reads the first item or all of them.
class SelectorList {
public:
    SelectorList() = default;
    explicit SelectorList(std::vector<Selector> items) : items_(std::move(items)) {}

    /// `xpath(expression)` of every item, concatenated.
    SelectorList xpath(std::string_view expression) const;
    /// `css(query)` of every item, concatenated.
    SelectorList css(std::string_view query) const;

    /// `get()` of the first item; nothing if the list is empty.
    std::optional<std::string> get() const;
    /// `get()` of the first item, or `default_value` if the list is empty.
    std::string get(std::string_view default_value) const;
    /// `get()` of every item.
    std::vector<std::string> getall() const;
    /// `re(pattern)` of every item, concatenated.
    std::vector<std::string> re(std::string_view pattern,
                                Entities entities = Entities::replace) const;
    /// The first string `re(pattern)` gives, or nothing.
    std::optional<std::string> re_first(std::string_view pattern,
                                        Entities entities = Entities::replace) const;
    /// The first string `re(pattern)` gives, or `default_value`.
    std::string re_first(std::string_view pattern, std::string default_value,
                         Entities entities = Entities::replace) const;
    /// `attrib(name)` of the first item; nothing if the list is empty.
    std::optional<std::string> attrib(std::string_view name) const;
    /// `attributes()` of the first item; empty if the list is empty.
    std::vector<std::pair<std::string, std::string>> attributes() const;

    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const Selector& operator[](std::size_t i) const { return items_[i]; }
    std::vector<Selector>::const_iterator begin() const noexcept { return items_.begin(); }
    std::vector<Selector>::const_iterator end() const noexcept { return items_.end(); }
    /// The items.
    const std::vector<Selector>& items() const noexcept { return items_; }
    /// Appends `s`.
    void push_back(Selector s) { items_.push_back(std::move(s)); }

private:
    std::vector<Selector> items_;
};

}  // namespace interloop::spider
