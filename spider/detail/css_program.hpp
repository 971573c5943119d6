#pragma once
// The parsed form of a CSS selector group, shared by the XPath translator and the tree matcher.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace interloop::spider::detail {

/// An attribute test's operator (cssselect's names; `different` is cssselect's `!=`).
enum class AttrOp { exists, equals, includes, dash_match, prefix, suffix, substring, different };

struct CssCompound;

/// One condition of a compound selector. `.c` is `[class~=c]` and `#i` is `[id=i]`, as in
/// cssselect, so both are attribute conditions.
struct CssCondition {
    enum class Kind {
        attribute,
        first_child,
        last_child,
        only_child,
        nth_child,
        nth_last_child,
        negation
    };
    Kind kind = Kind::attribute;
    AttrOp op = AttrOp::exists;  ///< attribute
    std::string name;            ///< attribute: lower-cased name
    std::string value;           ///< attribute: the value to compare with (UTF-8)
    bool safe_name = true;       ///< attribute: cssselect's is_safe_name (else name() test)
    bool never = false;          ///< attribute: a value that can never match (cssselect's "0")
    long long a = 0, b = 0;      ///< nth_child, nth_last_child: the series an+b
    std::vector<CssCompound> negated;  ///< negation: the one compound inside `:not()`
};

/// A compound selector: an element test and the conditions on that one element, in source
/// order (`a.x[href]:first-child`).
struct CssCompound {
    std::string element;       ///< lower-cased element name; empty for `*`
    bool safe_element = true;  ///< cssselect's is_safe_name (else translated as a name() test)
    std::vector<CssCondition> conditions;

    /// `*` with no condition.
    bool bare() const { return element.empty() && conditions.empty(); }
};

/// What a complex selector selects once its compounds matched (parsel's pseudo-elements, with
/// the exact node sets of parsel's XPath rewriting).
enum class CssOutput {
    elements,          ///< no pseudo-element: the elements matching the last compound
    text_children,     ///< `X::text` → X/text()
    text_descendants,  ///< `X ::text` → X/descendant-or-self::text() (matched by all but the
                       ///< last, bare, compound)
    text_all,          ///< `::text` alone → descendant-or-self::text() of the context node
    attribute_of,      ///< `X::attr(n)` → X/@n
    attribute_dos,     ///< `X ::attr(n)` → X/descendant-or-self::*/@n (all but the last compound)
};

/// A complex selector: compounds joined by combinators (' ', '>', '+', '~').
struct CssComplex {
    std::vector<CssCompound> compounds;  ///< left to right, at least one
    std::vector<char> combinators;       ///< combinators[i] joins compounds[i] and [i + 1]
    enum class Pseudo { none, text, attribute } pseudo = Pseudo::none;
    std::string pseudo_attribute;            ///< the name in `::attr(name)`, as written
    CssOutput output = CssOutput::elements;  ///< set by the translator
    bool has_sibling_combinator = false;     ///< '+' or '~' appears (the match may leave the
                                             ///< context node's subtree, as parsel's XPath does)
    bool needs_xpath = false;                ///< a parsel rewrite the matcher does not reproduce
};

/// A parsed and translated selector group.
struct CssProgram {
    std::vector<CssComplex> selectors;
    std::string xpath;         ///< parsel's translation, `descendant-or-self::` prefixed
    bool needs_xpath = false;  ///< some selector must be evaluated through `xpath`
    bool has_sibling_combinator = false;
};

/// Parses a CSS selector group (cssselect's grammar, restricted to the supported subset).
/// Throws SelectorSyntaxError naming `css` on malformed or unsupported selectors.
std::vector<CssComplex> parse_css(std::string_view css);

/// The parsed and translated program for `css`, from a per-thread cache of recent selectors
/// (so a hot selector is parsed once per thread, not once per page).
std::shared_ptr<const CssProgram> compile_css(std::string_view css);

}  // namespace interloop::spider::detail
