#pragma once
// The CSS selector tokenizer: cssselect's tokens (identifiers and hashes with escapes
// decoded, strings, numbers, whitespace, single-character delimiters; comments skipped).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace interloop::spider::detail {

/// A token's kind.
enum class Tok { ident, hash, string, number, space, delim, eof };

/// One token: its kind, its decoded value, its byte offset in the selector.
struct Token {
    Tok type;
    std::string value;
    std::size_t pos;

    /// Whether this is the delimiter `c`.
    bool is_delim(char c) const { return type == Tok::delim && value.size() == 1 && value[0] == c; }
    /// The token as error messages name it ("'>' at 3", "end of selector at 5").
    std::string describe() const;
};

/// The tokens of `css`, ending with one `Tok::eof`. Throws SelectorSyntaxError (naming `css`)
/// for an unclosed or invalid string.
std::vector<Token> tokenize_css(std::string_view css);

}  // namespace interloop::spider::detail
