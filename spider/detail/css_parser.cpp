// The CSS selector parser: cssselect's grammar and error cases for the subset the spider
// supports. Anything outside the subset is a SelectorSyntaxError, never silently ignored.

#include <string>
#include <string_view>
#include <vector>

#include "spider/detail/css_program.hpp"
#include "spider/detail/css_tokenizer.hpp"
#include "spider/errors.hpp"

namespace interloop::spider::detail {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

// cssselect's is_safe_name: ^[a-zA-Z_][a-zA-Z0-9_.-]*$
bool is_safe_name(std::string_view name) {
    if (name.empty()) return false;
    const char c0 = name[0];
    if (!(c0 == '_' || (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z'))) return false;
    for (char c : name.substr(1)) {
        if (!(c == '_' || c == '.' || c == '-' || is_digit(c) || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

// Python's int() on a series part: optional sign, then decimal digits.
bool parse_int(std::string_view s, long long& out) {
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty() || s.size() > 15) return false;
    long long v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10 + (c - '0');
    }
    out = negative ? -v : v;
    return true;
}

class Parser {
public:
    Parser(std::vector<Token> tokens, std::string_view source)
        : tokens_(std::move(tokens)), source_(source) {}

    std::vector<CssComplex> group() {
        std::vector<CssComplex> out;
        skip_whitespace();
        while (true) {
            out.push_back(selector());
            if (peek().is_delim(',')) {
                next();
                skip_whitespace();
            } else {
                break;
            }
        }
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& reason) const {
        throw SelectorSyntaxError("css", source_, reason);
    }
    const Token& peek() const { return tokens_[pos_]; }
    const Token& next() {
        const Token& t = tokens_[pos_];
        if (t.type != Tok::eof) ++pos_;
        ++used_;
        return t;
    }
    void skip_whitespace() {
        if (peek().type == Tok::space) next();
    }
    std::string next_ident() {
        const Token& t = next();
        if (t.type != Tok::ident) fail("expected an identifier, got " + t.describe());
        return t.value;
    }

    CssComplex selector() {
        CssComplex out;
        out.compounds.push_back(simple(out, false));
        while (true) {
            skip_whitespace();
            const Token& p = peek();
            if (p.type == Tok::eof || p.is_delim(',')) break;
            if (out.pseudo != CssComplex::Pseudo::none) {
                fail("got a pseudo-element not at the end of a selector, before " + p.describe());
            }
            char combinator = ' ';
            if (p.is_delim('+') || p.is_delim('>') || p.is_delim('~')) {
                combinator = next().value[0];
                skip_whitespace();
            }
            if (combinator == '+' || combinator == '~') out.has_sibling_combinator = true;
            out.combinators.push_back(combinator);
            out.compounds.push_back(simple(out, false));
        }
        return out;
    }

    // A compound selector. `owner` receives a pseudo-element, if one ends the compound.
    CssCompound simple(CssComplex& owner, bool inside_negation) {
        skip_whitespace();
        const std::size_t start = used_;
        CssCompound out;
        const Token& p = peek();
        if (p.type == Tok::ident || p.is_delim('*')) {
            const Token& t = next();
            if (peek().is_delim('|')) fail("namespaces are not supported, at " + t.describe());
            if (t.type == Tok::ident) {
                out.safe_element = is_safe_name(t.value);
                out.element = lowered(t.value);
            }
        }
        bool pseudo_seen = false;
        while (true) {
            const Token& q = peek();
            if (q.type == Tok::space || q.type == Tok::eof || q.is_delim(',') || q.is_delim('+') ||
                q.is_delim('>') || q.is_delim('~') || (inside_negation && q.is_delim(')'))) {
                break;
            }
            if (pseudo_seen) {
                fail("got a pseudo-element not at the end of a selector, before " + q.describe());
            }
            if (q.type == Tok::hash) {
                out.conditions.push_back(attribute("id", AttrOp::equals, next().value));
            } else if (q.is_delim('.')) {
                next();
                out.conditions.push_back(attribute("class", AttrOp::includes, next_ident()));
            } else if (q.is_delim('|')) {
                fail("namespaces are not supported, at " + q.describe());
            } else if (q.is_delim('[')) {
                next();
                out.conditions.push_back(attribute_selector());
            } else if (q.is_delim(':')) {
                next();
                pseudo_seen = pseudo(owner, out, inside_negation);
            } else {
                fail("expected a selector, got " + q.describe());
            }
        }
        if (used_ == start) fail("expected a selector, got " + peek().describe());
        return out;
    }

    static CssCondition attribute(std::string name, AttrOp op, std::string value) {
        CssCondition c;
        c.kind = CssCondition::Kind::attribute;
        c.op = op;
        c.name = std::move(name);
        c.value = std::move(value);
        set_never(c);
        return c;
    }

    // cssselect translates these to "0": `~=` of an empty or spaced value, `^= $= *=` of "".
    static void set_never(CssCondition& c) {
        const bool empty = c.value.empty();
        c.never =
            (c.op == AttrOp::includes &&
             (empty || c.value.find_first_of(" \t\r\n\f") != std::string::npos)) ||
            ((c.op == AttrOp::prefix || c.op == AttrOp::suffix || c.op == AttrOp::substring) &&
             empty);
    }

    CssCondition attribute_selector() {
        skip_whitespace();
        const Token& name_token = next();
        if (name_token.type != Tok::ident) {
            fail("expected an attribute name, got " + name_token.describe());
        }
        CssCondition c = attribute(lowered(name_token.value), AttrOp::exists, "");
        c.safe_name = is_safe_name(c.name);
        if (peek().is_delim('|')) {
            next();
            if (!peek().is_delim('='))
                fail("namespaces are not supported, at " + peek().describe());
            next();
            c.op = AttrOp::dash_match;
        } else {
            skip_whitespace();
            const Token& op = next();
            if (op.is_delim(']')) return c;
            if (op.is_delim('=')) {
                c.op = AttrOp::equals;
            } else if (op.type == Tok::delim && peek().is_delim('=') &&
                       std::string_view("^$*~|!").find(op.value[0]) != std::string_view::npos) {
                next();
                switch (op.value[0]) {
                    case '^':
                        c.op = AttrOp::prefix;
                        break;
                    case '$':
                        c.op = AttrOp::suffix;
                        break;
                    case '*':
                        c.op = AttrOp::substring;
                        break;
                    case '~':
                        c.op = AttrOp::includes;
                        break;
                    case '|':
                        c.op = AttrOp::dash_match;
                        break;
                    default:
                        c.op = AttrOp::different;
                        break;
                }
            } else {
                fail("expected an attribute operator, got " + op.describe());
            }
        }
        skip_whitespace();
        const Token& value = next();
        if (value.type != Tok::ident && value.type != Tok::string) {
            fail("expected a string or identifier, got " + value.describe());
        }
        c.value = value.value;
        set_never(c);
        skip_whitespace();
        const Token& close = next();
        if (!close.is_delim(']')) fail("expected ']', got " + close.describe());
        return c;
    }

    std::vector<Token> arguments() {
        std::vector<Token> out;
        while (true) {
            skip_whitespace();
            const Token& t = next();
            if (t.type == Tok::ident || t.type == Tok::string || t.type == Tok::number ||
                t.is_delim('+') || t.is_delim('-')) {
                out.push_back(t);
            } else if (t.is_delim(')')) {
                return out;
            } else {
                fail("expected an argument, got " + t.describe());
            }
        }
    }

    // After ':'. Returns true if a pseudo-element was read (it must end the compound).
    bool pseudo(CssComplex& owner, CssCompound& out, bool inside_negation) {
        if (peek().is_delim(':')) {
            next();
            const std::string name = lowered(next_ident());
            if (peek().is_delim('(')) {
                next();
                const std::vector<Token> args = arguments();
                if (name != "attr")
                    fail("the functional pseudo-element ::" + name + "() is unknown");
                if (args.size() != 1 ||
                    (args[0].type != Tok::ident && args[0].type != Tok::string)) {
                    fail("expected a single string or identifier for ::attr()");
                }
                owner.pseudo = CssComplex::Pseudo::attribute;
                owner.pseudo_attribute = args[0].value;
            } else {
                if (name != "text") fail("the pseudo-element ::" + name + " is unknown");
                owner.pseudo = CssComplex::Pseudo::text;
            }
            if (inside_negation) fail("got a pseudo-element inside :not()");
            return true;
        }
        const std::string name = lowered(next_ident());
        if (name == "first-line" || name == "first-letter" || name == "before" || name == "after") {
            fail("the pseudo-element ::" + name + " is unknown");
        }
        CssCondition c;
        if (!peek().is_delim('(')) {
            if (name == "first-child") {
                c.kind = CssCondition::Kind::first_child;
            } else if (name == "last-child") {
                c.kind = CssCondition::Kind::last_child;
            } else if (name == "only-child") {
                c.kind = CssCondition::Kind::only_child;
            } else {
                fail("the pseudo-class :" + name + " is not supported");
            }
            out.conditions.push_back(std::move(c));
            return false;
        }
        next();
        skip_whitespace();
        if (name == "not") {
            if (inside_negation) fail("got nested :not()");
            c.kind = CssCondition::Kind::negation;
            CssComplex scratch;
            c.negated.push_back(simple(scratch, true));
            const Token& close = next();
            if (!close.is_delim(')')) fail("expected ')', got " + close.describe());
        } else if (name == "nth-child" || name == "nth-last-child") {
            c.kind = name == "nth-child" ? CssCondition::Kind::nth_child
                                         : CssCondition::Kind::nth_last_child;
            series(arguments(), c.a, c.b);
        } else {
            fail("the pseudo-class :" + name + "() is not supported");
        }
        out.conditions.push_back(std::move(c));
        return false;
    }

    // cssselect's parse_series: odd, even, n, b, an+b (a may be '', '+', '-').
    void series(const std::vector<Token>& args, long long& a, long long& b) {
        std::string s;
        for (const Token& t : args) {
            if (t.type == Tok::string) fail("invalid series: strings are not allowed");
            s += t.value;
        }
        if (s == "odd") {
            a = 2, b = 1;
            return;
        }
        if (s == "even") {
            a = 2, b = 0;
            return;
        }
        const std::size_t n = s.find('n');
        bool ok = true;
        if (n == std::string::npos) {
            a = 0;
            ok = parse_int(s, b);
        } else {
            const std::string_view sa = std::string_view(s).substr(0, n);
            const std::string_view sb = std::string_view(s).substr(n + 1);
            if (sa.empty() || sa == "+") {
                a = 1;
            } else if (sa == "-") {
                a = -1;
            } else {
                ok = parse_int(sa, a);
            }
            b = 0;
            if (ok && !sb.empty()) ok = parse_int(sb, b);
        }
        if (!ok) fail("invalid series '" + s + "'");
    }

    std::vector<Token> tokens_;
    std::string_view source_;
    std::size_t pos_ = 0;
    std::size_t used_ = 0;  // tokens consumed, as cssselect's stream.used
};

}  // namespace

std::vector<CssComplex> parse_css(std::string_view css) {
    return Parser(tokenize_css(css), css).group();
}

}  // namespace interloop::spider::detail
