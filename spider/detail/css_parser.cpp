// CSS selector tokenizer and parser: cssselect's grammar (tokens, escapes, error cases) for the
// subset the spider supports. Anything outside the subset is a SelectorSyntaxError, never
// silently ignored.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "spider/detail/css_program.hpp"
#include "spider/errors.hpp"

namespace interloop::spider::detail {
namespace {

enum class Tok { ident, hash, string, number, space, delim, eof };

struct Token {
    Tok type;
    std::string value;
    std::size_t pos;

    bool is_delim(char c) const { return type == Tok::delim && value.size() == 1 && value[0] == c; }
    std::string describe() const {
        switch (type) {
            case Tok::eof: return fmt::format("end of selector at {}", pos);
            case Tok::space: return fmt::format("whitespace at {}", pos);
            default: return fmt::format("'{}' at {}", value, pos);
        }
    }
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
std::uint32_t hex_value(char c) {
    if (is_digit(c)) return static_cast<std::uint32_t>(c - '0');
    return static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
}
bool is_nmstart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_nmchar(char c) { return is_nmstart(c) || is_digit(c) || c == '-'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Tokenizer {
public:
    Tokenizer(std::string_view css, std::string_view source) : s_(css), source_(source) {}

    std::vector<Token> run() {
        std::vector<Token> out;
        while (pos_ < s_.size()) {
            const std::size_t start = pos_;
            const char c = s_[pos_];
            std::string value;
            if (is_ws(c)) {
                while (pos_ < s_.size() && is_ws(s_[pos_])) ++pos_;
                out.push_back({Tok::space, " ", start});
            } else if (ident_starts_at(pos_)) {
                if (s_[pos_] == '-') value += s_[pos_++];
                read_name(value);
                out.push_back({Tok::ident, std::move(value), start});
            } else if (c == '#' && pos_ + 1 < s_.size() && name_char_at(pos_ + 1)) {
                ++pos_;
                read_name(value);
                out.push_back({Tok::hash, std::move(value), start});
            } else if (c == '\'' || c == '"') {
                out.push_back({Tok::string, read_string(c), start});
            } else if (number_at(pos_)) {
                // [+-]?(?:[0-9]*\.[0-9]+|[0-9]+)
                if (c == '+' || c == '-') value += s_[pos_++];
                while (pos_ < s_.size() && is_digit(s_[pos_])) value += s_[pos_++];
                if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1])) {
                    value += s_[pos_++];
                    while (pos_ < s_.size() && is_digit(s_[pos_])) value += s_[pos_++];
                }
                out.push_back({Tok::number, std::move(value), start});
            } else if (s_.substr(pos_, 2) == "/*") {
                const std::size_t end = s_.find("*/", pos_ + 2);
                pos_ = end == std::string_view::npos ? s_.size() : end + 2;
            } else {
                out.push_back({Tok::delim, std::string(1, c), start});
                ++pos_;
            }
        }
        out.push_back({Tok::eof, "", s_.size()});
        return out;
    }

private:
    // An escape: `\` then hex digits (1-6, one optional whitespace after) or any other
    // character but a newline.
    bool escape_at(std::size_t i) const {
        return i + 1 < s_.size() && s_[i] == '\\' && s_[i + 1] != '\n' && s_[i + 1] != '\r' &&
               s_[i + 1] != '\f';
    }
    bool name_char_at(std::size_t i) const { return is_nmchar(s_[i]) || escape_at(i); }
    bool name_start_at(std::size_t i) const {
        return i < s_.size() && (is_nmstart(s_[i]) || escape_at(i));
    }
    bool ident_starts_at(std::size_t i) const {
        return name_start_at(i) || (s_[i] == '-' && name_start_at(i + 1));
    }
    bool number_at(std::size_t i) const {
        if (s_[i] == '+' || s_[i] == '-') ++i;
        if (i < s_.size() && is_digit(s_[i])) return true;
        return i + 1 < s_.size() && s_[i] == '.' && is_digit(s_[i + 1]);
    }

    // Reads an escape at pos_ (known to be one) into `out`.
    void read_escape(std::string& out) {
        ++pos_;  // the backslash
        if (is_hex(s_[pos_])) {
            std::uint32_t cp = 0;
            int digits = 0;
            while (pos_ < s_.size() && digits < 6 && is_hex(s_[pos_])) {
                cp = cp * 16 + hex_value(s_[pos_]);
                ++pos_;
                ++digits;
            }
            if (s_.substr(pos_, 2) == "\r\n") {
                pos_ += 2;
            } else if (pos_ < s_.size() && is_ws(s_[pos_])) {
                ++pos_;
            }
            append_utf8(out, cp);
            return;
        }
        // Any other character stands for itself (all of a multi-byte UTF-8 character).
        out += s_[pos_++];
        while (pos_ < s_.size() && (static_cast<unsigned char>(s_[pos_]) & 0xC0) == 0x80) {
            out += s_[pos_++];
        }
    }

    void read_name(std::string& out) {
        while (pos_ < s_.size()) {
            if (escape_at(pos_)) {
                read_escape(out);
            } else if (is_nmchar(s_[pos_])) {
                out += s_[pos_++];
            } else {
                break;
            }
        }
    }

    std::string read_string(char quote) {
        const std::size_t start = pos_++;
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != quote) {
            const char c = s_[pos_];
            if (c == '\n' || c == '\r' || c == '\f') break;
            if (c == '\\') {
                if (pos_ + 1 >= s_.size()) break;
                const char next = s_[pos_ + 1];
                if (next == '\n' || next == '\f') {
                    pos_ += 2;  // an escaped newline continues the string
                } else if (next == '\r') {
                    pos_ += s_.substr(pos_ + 1, 2) == "\r\n" ? 3 : 2;
                } else {
                    read_escape(out);
                }
                continue;
            }
            out += c;
            ++pos_;
        }
        if (pos_ >= s_.size()) {
            throw SelectorSyntaxError("css", source_, fmt::format("unclosed string at {}", start));
        }
        if (s_[pos_] != quote) {
            throw SelectorSyntaxError("css", source_, fmt::format("invalid string at {}", start));
        }
        ++pos_;
        return out;
    }

    std::string_view s_;
    std::string_view source_;
    std::size_t pos_ = 0;
};

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
            if (q.type == Tok::space || q.type == Tok::eof || q.is_delim(',') ||
                q.is_delim('+') || q.is_delim('>') || q.is_delim('~') ||
                (inside_negation && q.is_delim(')'))) {
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
        c.never = (c.op == AttrOp::includes &&
                   (empty || c.value.find_first_of(" \t\r\n\f") != std::string::npos)) ||
                  ((c.op == AttrOp::prefix || c.op == AttrOp::suffix ||
                    c.op == AttrOp::substring) &&
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
            if (!peek().is_delim('=')) fail("namespaces are not supported, at " + peek().describe());
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
                    case '^': c.op = AttrOp::prefix; break;
                    case '$': c.op = AttrOp::suffix; break;
                    case '*': c.op = AttrOp::substring; break;
                    case '~': c.op = AttrOp::includes; break;
                    case '|': c.op = AttrOp::dash_match; break;
                    default: c.op = AttrOp::different; break;
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
                if (name != "attr") fail("the functional pseudo-element ::" + name + "() is unknown");
                if (args.size() != 1 || (args[0].type != Tok::ident && args[0].type != Tok::string)) {
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
    return Parser(Tokenizer(css, css).run(), css).group();
}

}  // namespace interloop::spider::detail
