#pragma once
// What selector.cpp, selector_xpath.cpp and selector_re.cpp share.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spider/selector.hpp"

namespace interloop::spider::detail {

/// Makes Selectors (their constructor is private).
struct SelectorFactory {
    /// A selector for `node` of `document`; its kind follows the node's type.
    static Selector node(const std::shared_ptr<const HtmlDocument>& document, _xmlNode* node);
    /// A value selector.
    static Selector value(const std::shared_ptr<const HtmlDocument>& document, std::string value);
};

/// Appends to `out` what the XPath `expression` selects with `context`'s node as the context
/// node. Throws SelectorSyntaxError.
void evaluate_xpath(std::string_view expression, const Selector& context,
                    std::vector<Selector>& out);

/// How many XPath expressions this thread has compiled (the cache's misses).
std::size_t xpath_compilations() noexcept;

/// parsel's extract_regex: the strings `pattern` extracts from `text`.
std::vector<std::string> extract_regex(std::string_view pattern, std::string_view text,
                                       Entities entities);

/// w3lib's replace_entities(text, keep=["lt", "amp"]): decodes named (HTML 4) and numeric
/// character references except `&lt;` and `&amp;`; references that name nothing are dropped if
/// they end with ';', else kept as written.
std::string replace_entities(std::string_view text);

/// Python's str(float): "3.0", "0.5", "1e+16", "nan", "inf".
std::string python_float(double value);

}  // namespace interloop::spider::detail
