#pragma once
// css_to_xpath: parsel's translation of CSS selectors to XPath 1.0.

#include <string>
#include <string_view>

namespace interloop::spider {

/// The XPath 1.0 expression that parsel evaluates for the CSS selector group `css`: cssselect's
/// HTMLTranslator (element and attribute names lower-cased) with parsel's pseudo-elements
/// `::text` and `::attr(name)`, each selector prefixed with `descendant-or-self::` so that it is
/// scoped to the context node's subtree, selectors of a group joined with ` | `.
///
/// Supported: type and `*`, `.class`, `#id`, `[a]`, `[a=v]`, `[a~=v]`, `[a|=v]`, `[a^=v]`,
/// `[a$=v]`, `[a*=v]`, `[a!=v]`; combinators ` `, `>`, `+`, `~`; `,` groups; `:first-child`,
/// `:last-child`, `:only-child`, `:nth-child()` and `:nth-last-child()` (`odd`, `even`, `an+b`),
/// `:not()` of one compound selector; `::text`, `::attr(name)`. For example
/// `.c` → `descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '),
/// ' c ')]`, `a::text` → `descendant-or-self::a/text()`, `a ::text` →
/// `descendant-or-self::a/descendant-or-self::text()`, `a::attr(href)` →
/// `descendant-or-self::a/@href`.
///
/// Throws SelectorSyntaxError (naming `css`) for a malformed selector or one outside that
/// subset (namespaces, other pseudo-classes). Translations are cached per thread.
std::string css_to_xpath(std::string_view css);

}  // namespace interloop::spider
