// Right-to-left matching of compound chains with XPath's scoping: the leftmost compound must
// match in the context node's subtree (descendant-or-self), and nothing above the context node
// or before it may take part. One pre-order walk emits elements, their attributes, then their
// children, which is XPath's document order, so results need no sorting or deduplication.

#include "spider/detail/css_match.hpp"

#include <libxml/tree.h>

#include <cstring>
#include <string>
#include <string_view>

namespace interloop::spider::detail {
namespace {

bool is_element(const xmlNode* n) {
    return n != nullptr && n->type == XML_ELEMENT_NODE;
}
bool is_text(const xmlNode* n) {
    return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}
bool can_descend(const xmlNode* n) {
    return n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
           n->type == XML_HTML_DOCUMENT_NODE;
}

const char* name_of(const xmlNode* n) {
    return reinterpret_cast<const char*>(n->name);
}

// XPath's `@name` (no prefix): an attribute of that name in no namespace (or a prefixless one).
bool attribute_named(const xmlAttr* a, const std::string& name) {
    const char* have = reinterpret_cast<const char*>(a->name);
    return have[0] == name[0] && (a->ns == nullptr || a->ns->prefix == nullptr) &&
           std::strcmp(have, name.c_str()) == 0;
}

// XPath's name() of an attribute: prefix:local when it has a prefixed namespace.
bool attribute_qualified_name_is(const xmlAttr* a, const std::string& name) {
    if (a->ns == nullptr || a->ns->prefix == nullptr) return attribute_named(a, name);
    const std::string qualified = std::string(reinterpret_cast<const char*>(a->ns->prefix)) + ":" +
                                  reinterpret_cast<const char*>(a->name);
    return qualified == name;
}

const xmlAttr* find_attribute(const xmlNode* n, const CssCondition& c) {
    for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
        if (c.safe_name ? attribute_named(a, c.name) : attribute_qualified_name_is(a, c.name)) {
            return a;
        }
    }
    return nullptr;
}

/// The string value of an attribute: its one text child in place, else a copy in `scratch`.
std::string_view attribute_value(const xmlAttr* a, std::string& scratch) {
    const xmlNode* child = a->children;
    if (child == nullptr) return {};
    if (child->next == nullptr && child->type == XML_TEXT_NODE) {
        return child->content != nullptr ? reinterpret_cast<const char*>(child->content) : "";
    }
    xmlChar* value = xmlNodeListGetString(a->doc, a->children, 1);
    scratch = value != nullptr ? reinterpret_cast<const char*>(value) : "";
    xmlFree(value);
    return scratch;
}

bool xpath_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// contains(concat(' ', normalize-space(v), ' '), ' token ') for a token without whitespace.
bool has_token(std::string_view v, std::string_view token) {
    std::size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && xpath_blank(v[i])) ++i;
        std::size_t j = i;
        while (j < v.size() && !xpath_blank(v[j])) ++j;
        if (j > i && v.substr(i, j - i) == token) return true;
        i = j;
    }
    return false;
}

bool attribute_matches(const CssCondition& c, const xmlNode* n, std::string& scratch) {
    if (c.never) return false;
    const std::string& want = c.value;
    const xmlAttr* a = find_attribute(n, c);
    if (a == nullptr) return c.op == AttrOp::different && !want.empty();
    const std::string_view v = attribute_value(a, scratch);
    switch (c.op) {
        case AttrOp::exists:
            return true;
        case AttrOp::equals:
            return v == want;
        case AttrOp::different:
            return v != want;
        case AttrOp::includes:
            return has_token(v, want);
        case AttrOp::dash_match:
            return v == want ||
                   (v.size() > want.size() && v.starts_with(want) && v[want.size()] == '-');
        case AttrOp::prefix:
            return v.starts_with(want);
        case AttrOp::suffix:
            return v.ends_with(want);
        case AttrOp::substring:
            return v.find(want) != std::string_view::npos;
    }
    return false;
}

long long element_siblings(const xmlNode* n, bool before) {
    long long count = 0;
    for (const xmlNode* s = before ? n->prev : n->next; s != nullptr;
         s = before ? s->prev : s->next) {
        count += is_element(s);
    }
    return count;
}

/// Whether some n ≥ 0 gives a·n + b − 1 = count (cssselect's nth-child conditions, exactly).
bool in_series(long long a, long long b, long long count) {
    const long long d = count - (b - 1);
    if (a == 0) return d == 0;
    return d % a == 0 && d / a >= 0;
}

bool compound_matches(const CssCompound& c, const xmlNode* n, std::string& scratch);

bool condition_matches(const CssCondition& c, const xmlNode* n, std::string& scratch) {
    switch (c.kind) {
        case CssCondition::Kind::attribute:
            return attribute_matches(c, n, scratch);
        case CssCondition::Kind::first_child:
            return element_siblings(n, true) == 0;
        case CssCondition::Kind::last_child:
            return element_siblings(n, false) == 0;
        case CssCondition::Kind::only_child:
            return is_element(n->parent) && element_siblings(n, true) == 0 &&
                   element_siblings(n, false) == 0;
        case CssCondition::Kind::nth_child:
            return in_series(c.a, c.b, element_siblings(n, true));
        case CssCondition::Kind::nth_last_child:
            return in_series(c.a, c.b, element_siblings(n, false));
        case CssCondition::Kind::negation:
            return !compound_matches(c.negated.front(), n, scratch);
    }
    return false;
}

bool compound_matches(const CssCompound& c, const xmlNode* n, std::string& scratch) {
    if (!c.element.empty()) {
        const char* name = name_of(n);
        if (name[0] != c.element[0] || (c.safe_element && n->ns != nullptr) ||
            std::strcmp(name, c.element.c_str()) != 0) {
            return false;
        }
    }
    for (const CssCondition& cond : c.conditions) {
        if (!condition_matches(cond, n, scratch)) return false;
    }
    return true;
}

const xmlNode* previous_element(const xmlNode* n) {
    for (n = n->prev; n != nullptr; n = n->prev) {
        if (is_element(n)) return n;
    }
    return nullptr;
}

/// The outcome of matching a compound chain at one element.
enum class Match {
    matched,
    restart_from_sibling,     ///< try the next candidate of the nearest enclosing '~' or ' '
    restart_from_descendant,  ///< try the next candidate of the nearest enclosing ' '
    never,                    ///< no candidate of any enclosing combinator can match either
};

/// Matching state for one match_css call.
struct Matcher {
    const xmlNode* context;
    bool check_scope;  // candidates may lie outside the context's subtree (sibling combinators)
    std::string scratch;
    std::vector<const std::string*> wanted;  // attribute names selected on the current element

    bool in_scope(const xmlNode* n) const {
        if (!check_scope || context->type == XML_DOCUMENT_NODE ||
            context->type == XML_HTML_DOCUMENT_NODE) {
            return true;
        }
        for (; n != nullptr; n = n->parent) {
            if (n == context) return true;
        }
        return false;
    }

    /// The element the combinator `c` leads to from `n` (right to left), within the region.
    const xmlNode* step(const xmlNode* n, char c) const {
        if (n == context) return nullptr;  // nothing above or before the context node counts
        if (c == '+' || c == '~') return previous_element(n);
        return is_element(n->parent) ? n->parent : nullptr;
    }

    /// Whether element `n` matches compounds[0..k] of `s`, `n` standing for compounds[k]; on
    /// failure, how far the caller may give up (Servo's and WebKit's pruning, which keeps
    /// `div div div span` on a deep tree linear instead of exponential in the depth).
    Match chain(const CssComplex& s, std::size_t k, const xmlNode* n) {
        if (!compound_matches(s.compounds[k], n, scratch)) return Match::restart_from_sibling;
        if (k == 0) return in_scope(n) ? Match::matched : Match::restart_from_sibling;
        const char c = s.combinators[k - 1];
        const Match not_found =
            (c == '+' || c == '~') ? Match::restart_from_descendant : Match::never;
        for (const xmlNode* next = step(n, c); next != nullptr; next = step(next, c)) {
            const Match r = chain(s, k - 1, next);
            if (r == Match::matched || r == Match::never || c == '+') return r;
            if (c == '>') return Match::restart_from_descendant;
            if (c == '~' && r == Match::restart_from_descendant) return r;
        }
        return not_found;
    }

    /// Whether an ancestor-or-self element of `n` (or only a proper ancestor, if `proper`)
    /// matches all compounds of `s` but its last (a descendant combinator's search).
    bool ancestor_chain(const CssComplex& s, const xmlNode* n, bool proper) {
        for (const xmlNode* a = proper ? step(n, ' ') : n; a != nullptr; a = step(a, ' ')) {
            const Match r = chain(s, s.compounds.size() - 2, a);
            if (r == Match::matched) return true;
            if (r == Match::never) return false;
        }
        return false;
    }

    bool element_selected(const CssComplex& s, const xmlNode* e) {
        return chain(s, s.compounds.size() - 1, e) == Match::matched;
    }

    bool attributes_selected(const CssComplex& s, const xmlNode* e) {
        return s.output == CssOutput::attribute_of
                   ? chain(s, s.compounds.size() - 1, e) == Match::matched
                   : ancestor_chain(s, e, false);
    }

    bool text_selected(const CssComplex& s, const xmlNode* t) {
        switch (s.output) {
            case CssOutput::text_children:
                return is_element(t->parent) &&
                       chain(s, s.compounds.size() - 1, t->parent) == Match::matched;
            case CssOutput::text_descendants:
                return ancestor_chain(s, t, true);
            default: {  // text_all: every text node in the context's subtree
                if (!check_scope) return true;  // the walk visits nothing else
                for (const xmlNode* p = t; p != nullptr; p = p->parent) {
                    if (p == context) return true;
                }
                return false;
            }
        }
    }
};

}  // namespace

void match_css(const CssProgram& program, _xmlNode* context, std::vector<_xmlNode*>& out) {
    Matcher m{context, program.has_sibling_combinator, {}, {}};
    bool any_text = false, any_attribute = false;
    for (const CssComplex& s : program.selectors) {
        const bool text = s.output == CssOutput::text_children ||
                          s.output == CssOutput::text_descendants ||
                          s.output == CssOutput::text_all;
        any_text = any_text || text;
        any_attribute = any_attribute || s.output == CssOutput::attribute_of ||
                        s.output == CssOutput::attribute_dos;
    }

    auto visit = [&](xmlNode* n) {
        if (n->type == XML_ELEMENT_NODE) {
            for (const CssComplex& s : program.selectors) {
                if (s.output == CssOutput::elements && m.element_selected(s, n)) {
                    out.push_back(n);
                    break;
                }
            }
            if (!any_attribute || n->properties == nullptr) return;
            m.wanted.clear();  // the attribute selectors that select on this element
            for (const CssComplex& s : program.selectors) {
                if ((s.output == CssOutput::attribute_of || s.output == CssOutput::attribute_dos) &&
                    m.attributes_selected(s, n)) {
                    m.wanted.push_back(&s.pseudo_attribute);
                }
            }
            if (m.wanted.empty()) return;
            for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
                for (const std::string* name : m.wanted) {
                    if (attribute_named(a, *name)) {
                        out.push_back(reinterpret_cast<xmlNode*>(a));
                        break;
                    }
                }
            }
        } else if (any_text && is_text(n)) {
            for (const CssComplex& s : program.selectors) {
                const bool text = s.output == CssOutput::text_children ||
                                  s.output == CssOutput::text_descendants ||
                                  s.output == CssOutput::text_all;
                if (text && m.text_selected(s, n)) {
                    out.push_back(n);
                    break;
                }
            }
        }
    };

    // Pre-order walk of one subtree: the node, then (for elements and documents) its children.
    auto walk = [&](xmlNode* top) {
        xmlNode* n = top;
        while (true) {
            if (n->type != XML_DTD_NODE) visit(n);
            if (n->children != nullptr && can_descend(n)) {
                n = n->children;
                continue;
            }
            while (n != top && n->next == nullptr) n = n->parent;
            if (n == top) return;
            n = n->next;
        }
    };

    walk(context);
    if (program.has_sibling_combinator && context->type != XML_DOCUMENT_NODE &&
        context->type != XML_HTML_DOCUMENT_NODE) {
        for (xmlNode* s = context->next; s != nullptr; s = s->next) walk(s);
    }
}

}  // namespace interloop::spider::detail
