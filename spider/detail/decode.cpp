#include "spider/detail/decode.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "spider/detail/utf8.hpp"

namespace interloop::spider::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

/// Position of `needle` (lower-case ASCII) in `hay`, ignoring ASCII case, from `from`.
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from = 0) {
    if (needle.size() > hay.size()) return std::string_view::npos;
    for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
        if (iequals(hay.substr(i, needle.size()), needle)) return i;
    }
    return std::string_view::npos;
}

/// Length of the well-formed UTF-8 sequence at `p` (of `n` bytes left); 0 if malformed, in
/// which case `*valid_prefix` is the length of its maximal valid prefix (Unicode's "maximal
/// subpart", replaced by one U+FFFD), at least 1.
std::size_t utf8_sequence(const unsigned char* p, std::size_t n, std::size_t* valid_prefix) {
    const unsigned char c = p[0];
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *valid_prefix = 1;
        return 0;
    }
    for (std::size_t i = 1; i < len; ++i) {
        const unsigned char b = i < n ? p[i] : 0;
        const bool ok = i < n && b >= (i == 1 ? lo : 0x80) && b <= (i == 1 ? hi : 0xBF);
        if (!ok) {
            *valid_prefix = i;
            return 0;
        }
    }
    return len;
}

/// Appends `in` to `out`, replacing malformed UTF-8 with U+FFFD and dropping NUL bytes.
void append_clean_utf8(std::string_view in, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    out.reserve(out.size() + n + 16);
    std::size_t i = 0;
    while (i < n) {
        if (p[i] == 0) {
            ++i;
        } else if (p[i] < 0x80) {
            out += static_cast<char>(p[i++]);
        } else {
            std::size_t prefix = 0;
            const std::size_t len = utf8_sequence(p + i, n - i, &prefix);
            if (len == 0) {
                out += replacement;
                i += prefix;
            } else {
                out.append(in.data() + i, len);
                i += len;
            }
        }
    }
}

// windows-1252's 0x80..0x9F (WHATWG: the five unassigned bytes map to the C1 controls).
constexpr std::array<std::uint16_t, 32> cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_windows_1252(std::string_view in, std::string& out) {
    out.reserve(out.size() + in.size() + in.size() / 8);
    for (const char ch : in) {
        const auto b = static_cast<unsigned char>(ch);
        if (b == 0) continue;
        if (b < 0x80) {
            out += ch;
        } else if (b < 0xA0) {
            append_utf8(out, cp1252_high[b - 0x80]);
        } else {
            append_utf8(out, b);
        }
    }
}

/// The name glibc's iconv knows the canonical encoding by.
std::string iconv_name(std::string_view canonical) {
    if (canonical == "shift_jis") return "CP932";
    if (canonical == "euc-kr") return "CP949";
    if (canonical == "big5") return "BIG5-HKSCS";
    return std::string(canonical);
}

/// Decodes `in` from `canonical` with iconv, appending UTF-8 to `out` (malformed input becomes
/// U+FFFD, NUL characters are dropped). False if iconv does not know the encoding.
bool append_with_iconv(std::string_view in, std::string_view canonical, std::string& out) {
    const std::string from = iconv_name(canonical);
    iconv_t cd = iconv_open("UTF-8", from.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    std::string converted;
    converted.resize(in.size() * 2 + 64);
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    std::size_t used = 0;
    while (src_left > 0) {
        char* dst = converted.data() + used;
        std::size_t dst_left = converted.size() - used;
        const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
        used = converted.size() - dst_left;
        if (rc != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) {
            converted.resize(converted.size() * 2);
        } else {  // EILSEQ (malformed) or EINVAL (truncated at the end): replace one byte
            if (converted.size() - used < replacement.size())
                converted.resize(converted.size() * 2);
            std::memcpy(converted.data() + used, replacement.data(), replacement.size());
            used += replacement.size();
            ++src;
            --src_left;
            iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
        }
    }
    iconv_close(cd);
    converted.resize(used);
    append_clean_utf8(converted, out);  // drops U+0000; iconv's output is well-formed
    return true;
}

bool is_utf8(std::string_view canonical) {
    return canonical == "utf-8";
}

/// Whether `canonical` is an encoding we can decode (built in, or known to iconv).
bool known_encoding(std::string_view canonical) {
    if (canonical.empty()) return false;
    if (is_utf8(canonical) || canonical == "windows-1252") return true;
    const std::string name = iconv_name(canonical);
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    iconv_close(cd);
    return true;
}

}  // namespace

std::string canonical_encoding(std::string_view label) {
    while (!label.empty() && (label.front() == ' ' || label.front() == '\t' ||
                              label.front() == '"' || label.front() == '\'')) {
        label.remove_prefix(1);
    }
    while (!label.empty() && (label.back() == ' ' || label.back() == '\t' || label.back() == '"' ||
                              label.back() == '\'')) {
        label.remove_suffix(1);
    }
    std::string lower(label);
    std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
    static constexpr std::pair<std::string_view, std::string_view> aliases[] = {
        {"utf8", "utf-8"},
        {"unicode-1-1-utf-8", "utf-8"},
        {"ascii", "windows-1252"},
        {"us-ascii", "windows-1252"},
        {"iso-8859-1", "windows-1252"},
        {"iso8859-1", "windows-1252"},
        {"iso_8859-1", "windows-1252"},
        {"latin1", "windows-1252"},
        {"l1", "windows-1252"},
        {"cp1252", "windows-1252"},
        {"x-cp1252", "windows-1252"},
        {"cp819", "windows-1252"},
        {"ansi_x3.4-1968", "windows-1252"},
        {"gb2312", "gb18030"},
        {"gbk", "gb18030"},
        {"x-gbk", "gb18030"},
        {"cp936", "gb18030"},
        {"iso-8859-9", "windows-1254"},
        {"latin5", "windows-1254"},
        {"tis-620", "windows-874"},
        {"iso-8859-11", "windows-874"},
        {"ks_c_5601-1987", "euc-kr"},
        {"cp949", "euc-kr"},
        {"sjis", "shift_jis"},
        {"x-sjis", "shift_jis"},
        {"ms_kanji", "shift_jis"},
        {"windows-31j", "shift_jis"},
        {"big5-hkscs", "big5"},
        {"utf-16", "utf-16le"},
    };
    for (const auto& [alias, name] : aliases) {
        if (lower == alias) return std::string(name);
    }
    return lower;
}

std::string_view sniff_meta_charset(std::string_view body) {
    const std::string_view head = body.substr(0, 4096);
    std::size_t pos = 0;
    while ((pos = head.find('<', pos)) != std::string_view::npos) {
        const std::string_view rest = head.substr(pos);
        if (rest.starts_with("<!--")) {
            const std::size_t end = head.find("-->", pos + 4);
            if (end == std::string_view::npos) break;
            pos = end + 3;
            continue;
        }
        const bool meta = rest.size() > 5 && iequals(rest.substr(1, 4), "meta");
        const bool xml = rest.starts_with("<?xml");
        if (rest.size() >= 5 && iequals(rest.substr(1, 4), "body")) break;
        const std::size_t close = head.find('>', pos);
        if (!meta && !xml) {
            ++pos;
            continue;
        }
        const std::string_view tag =
            head.substr(pos, close == std::string_view::npos ? head.npos : close - pos);
        const std::string_view key = xml ? "encoding" : "charset";
        for (std::size_t k = ifind(tag, key); k != std::string_view::npos;
             k = ifind(tag, key, k + 1)) {
            std::size_t i = k + key.size();
            while (i < tag.size() && (tag[i] == ' ' || tag[i] == '\t')) ++i;
            if (i >= tag.size() || tag[i] != '=') continue;
            ++i;
            while (i < tag.size() &&
                   (tag[i] == ' ' || tag[i] == '\t' || tag[i] == '"' || tag[i] == '\'')) {
                ++i;
            }
            std::size_t j = i;
            while (j < tag.size() &&
                   (std::isalnum(static_cast<unsigned char>(tag[j])) || tag[j] == '-' ||
                    tag[j] == '_' || tag[j] == '.' || tag[j] == ':')) {
                ++j;
            }
            if (j > i) return tag.substr(i, j - i);
        }
        if (close == std::string_view::npos) break;
        pos = close + 1;
    }
    return {};
}

bool is_valid_utf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {  // fast path over ASCII, eight bytes at a time
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        std::size_t prefix = 0;
        const std::size_t len = utf8_sequence(p + i, n - i, &prefix);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string_view decode_body(std::string_view body, std::string_view declared_encoding,
                             std::string& storage, std::string& encoding) {
    storage.clear();
    std::string chosen;
    if (body.starts_with("\xEF\xBB\xBF")) {
        chosen = "utf-8";
        body.remove_prefix(3);
    } else if (body.starts_with("\xFF\xFE")) {
        chosen = "utf-16le";
        body.remove_prefix(2);
    } else if (body.starts_with("\xFE\xFF")) {
        chosen = "utf-16be";
        body.remove_prefix(2);
    }
    if (chosen.empty()) {
        chosen = canonical_encoding(declared_encoding);
        if (!known_encoding(chosen)) chosen.clear();
    }
    if (chosen.empty()) {
        chosen = canonical_encoding(sniff_meta_charset(body));
        // A <meta> cannot truthfully declare UTF-16: the bytes that spelled it were ASCII.
        if (chosen.starts_with("utf-16")) chosen = "utf-8";
        if (!known_encoding(chosen)) chosen.clear();
    }
    int valid = -1;  // is_valid_utf8(body), computed at most once
    const auto valid_utf8 = [&] {
        if (valid < 0) valid = is_valid_utf8(body) ? 1 : 0;
        return valid == 1;
    };
    if (chosen.empty()) chosen = valid_utf8() ? "utf-8" : "windows-1252";

    if (is_utf8(chosen)) {
        encoding = std::move(chosen);
        if (std::memchr(body.data(), 0, body.size()) == nullptr && valid_utf8()) {
            return body;
        }
        append_clean_utf8(body, storage);
        return storage;
    }
    if (chosen == "windows-1252") {
        append_windows_1252(body, storage);
    } else {
        append_with_iconv(body, chosen, storage);  // known_encoding said iconv can
    }
    encoding = std::move(chosen);
    return storage;
}

}  // namespace interloop::spider::detail
