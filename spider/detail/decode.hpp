#pragma once
// Turning a response body into the UTF-8 text that libxml2 parses: encoding sniffing and decoding.

#include <string>
#include <string_view>

namespace interloop::spider::detail {

/// The canonical name of the encoding that `label` names, following the WHATWG Encoding
/// Standard's labels for the encodings a crawler meets ("latin1", "iso-8859-1" and "ascii" are
/// windows-1252; "utf8" is utf-8; "gb2312" is gb18030; ...), lower-cased. Labels outside that
/// table are returned lower-cased and trimmed, for iconv to judge. Empty for an empty label.
std::string canonical_encoding(std::string_view label);

/// The charset that a `<meta charset>`, `<meta http-equiv content="...; charset=...">` or
/// `<?xml encoding=...?>` declares within the first 4096 bytes of `body` (before `<body`,
/// outside comments), as written; empty if there is none.
std::string_view sniff_meta_charset(std::string_view body);

/// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

/// The body as well-formed UTF-8 without NUL characters, the form libxml2 parses without losing
/// text. The encoding is chosen as browsers and Scrapy do: a byte-order mark, else
/// `declared_encoding` (the HTTP header's charset), else a `<meta>` declaration, else utf-8 if
/// the bytes are valid utf-8, else windows-1252. Declarations that iconv does not know are
/// skipped. Malformed sequences become U+FFFD. Returns a view of `body` itself when it is
/// already in that form (the common case: no copy), else a view of `storage`. `encoding` is set
/// to the canonical name of the encoding used. Never throws except `std::bad_alloc`.
std::string_view decode_body(std::string_view body, std::string_view declared_encoding,
                             std::string& storage, std::string& encoding);

}  // namespace interloop::spider::detail
