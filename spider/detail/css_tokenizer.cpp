// cssselect's tokenizer, byte for byte: the same token boundaries, escapes and errors.

#include "spider/detail/css_tokenizer.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "spider/detail/utf8.hpp"
#include "spider/errors.hpp"

namespace interloop::spider::detail {
namespace {

bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}
bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
std::uint32_t hex_value(char c) {
    if (is_digit(c)) return static_cast<std::uint32_t>(c - '0');
    return static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
}
bool is_nmstart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_nmchar(char c) {
    return is_nmstart(c) || is_digit(c) || c == '-';
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

}  // namespace

std::string Token::describe() const {
    switch (type) {
        case Tok::eof:
            return fmt::format("end of selector at {}", pos);
        case Tok::space:
            return fmt::format("whitespace at {}", pos);
        default:
            return fmt::format("'{}' at {}", value, pos);
    }
}

std::vector<Token> tokenize_css(std::string_view css) {
    return Tokenizer(css, css).run();
}

}  // namespace interloop::spider::detail
