// re(): parsel's extract_regex on Boost.Regex, and w3lib's replace_entities.
//
// Why Boost.Regex and not std::regex: libstdc++'s std::regex matches by recursion, one stack
// frame per repetition, and crashes the process (SIGSEGV) on ordinary scraping patterns over
// page-sized text: `var data = (\{.*?\});` over a 100 KB script, `(a|b)*` over 20 KB. Boost.Regex
// (header-only since 1.76, already a dependency through boost_dep) is non-recursive and reports
// runaway matches as an exception; it also has named groups, which parsel's `extract` rule uses.
//
// Matching is on code points, as Python's: UTF-8 is widened to wchar_t (UTF-32 on Linux) so
// that `.` and `[^”]` see characters, not bytes, and `\w` knows letters (C.UTF-8 locale).

#include <libxml/HTMLparser.h>

#include <boost/regex.hpp>

#include <cstdint>
#include <locale>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "spider/detail/selector_internals.hpp"
#include "spider/detail/string_hash.hpp"
#include "spider/detail/utf8.hpp"

namespace interloop::spider::detail {
namespace {

struct CompiledRegex {
    boost::wregex regex;
    bool has_extract = false;  // a group named "extract"
};

/// UTF-8 to code points; malformed bytes become U+FFFD each.
std::wstring widen(std::string_view text) {
    std::wstring out;
    out.reserve(text.size());
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        std::uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        bool ok = len != 0 && i + len <= n && c < 0xF5;
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (p[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        static constexpr std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
        ok = ok && cp >= min_for_length[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        out += ok ? static_cast<wchar_t>(cp) : L'\uFFFD';
        i += ok ? len : 1;
    }
    return out;
}

std::string narrow(const wchar_t* begin, const wchar_t* end) {
    std::string out;
    out.reserve(static_cast<std::size_t>(end - begin));
    for (; begin != end; ++begin) append_utf8(out, static_cast<std::uint32_t>(*begin));
    return out;
}

/// A locale whose wide character classes know Unicode (for \w, \s, case folding).
const std::locale& unicode_locale() {
    static const std::locale loc = [] {
        try {
            return std::locale("C.UTF-8");
        } catch (const std::runtime_error&) {
            return std::locale::classic();
        }
    }();
    return loc;
}

/// Python's named-group spellings in Boost's: `(?P<n>` → `(?<n>`, `(?P=n)` → `\k<n>`.
std::wstring to_boost_syntax(std::wstring_view pattern) {
    std::wstring out;
    out.reserve(pattern.size());
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const wchar_t c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            out += c;
            out += pattern[++i];
            continue;
        }
        if (in_class) {
            in_class = c != ']';
        } else if (c == '[') {
            in_class = true;
        } else if (pattern.substr(i, 4) == L"(?P<") {
            out += L"(?<";
            i += 3;
            continue;
        } else if (pattern.substr(i, 4) == L"(?P=") {
            const std::size_t close = pattern.find(L')', i);
            if (close != std::wstring_view::npos) {
                out += L"\\k<" + std::wstring(pattern.substr(i + 4, close - i - 4)) + L">";
                i = close;
                continue;
            }
        }
        out += c;
    }
    return out;
}

std::shared_ptr<const CompiledRegex> compile(std::string_view pattern) {
    thread_local std::unordered_map<std::string, std::shared_ptr<const CompiledRegex>, StringHash,
                                    std::equal_to<>>
        cache;
    if (auto it = cache.find(pattern); it != cache.end()) return it->second;
    auto compiled = std::make_shared<CompiledRegex>();
    const std::wstring boost_pattern = to_boost_syntax(widen(pattern));
    try {
        compiled->regex.imbue(unicode_locale());
        // Python's defaults: '.' does not match a newline, '^' and '$' do not match at lines.
        compiled->regex.assign(
            boost_pattern, boost::regex::perl | boost::regex::no_mod_s | boost::regex::no_mod_m);
    } catch (const boost::regex_error& e) {
        throw SelectorSyntaxError("regex", pattern, e.what());
    }
    compiled->has_extract = boost_pattern.find(L"(?<extract>") != std::wstring::npos ||
                            boost_pattern.find(L"(?'extract'") != std::wstring::npos;
    if (cache.size() >= 256) cache.clear();
    cache.emplace(std::string(pattern), compiled);
    return compiled;
}

bool ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool ascii_digit(char c) {
    return c >= '0' && c <= '9';
}
bool ascii_hex(char c) {
    return ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return out;
}

/// Python's html.entities.name2codepoint (HTML 4.01): libxml2's table, which also has "apos".
long long named_entity(const std::string& name) {
    if (name == "apos") return -1;
    const htmlEntityDesc* e = htmlEntityLookup(BAD_CAST name.c_str());
    return e != nullptr ? static_cast<long long>(e->value) : -1;
}

// windows-1252's 0x80..0x9F as Python decodes them (0 = undefined: a decode error).
constexpr std::uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

}  // namespace

std::string replace_entities(std::string_view text) {
    if (text.find('&') == std::string_view::npos) return std::string(text);
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '&') {
            out += text[i++];
            continue;
        }
        // &((?P<named>[a-z\d]+)|#(?P<dec>\d+)|#x(?P<hex>[a-f\d]+))(?P<semicolon>;?), ignoring case
        std::size_t j = i + 1;
        long long number = -1;
        bool overflow = false;
        bool matched = false;
        while (j < text.size() && ascii_alnum(text[j])) ++j;
        if (j > i + 1) {
            matched = true;
            const std::string name(text.substr(i + 1, j - i - 1));
            const std::string lowered = lower(name);
            if (lowered == "lt" || lowered == "amp") {
                out.append(text.substr(i, j - i + (j < text.size() && text[j] == ';')));
                i = j + (j < text.size() && text[j] == ';');
                continue;
            }
            number = named_entity(name);
            if (number < 0) number = named_entity(lowered);
        } else if (j < text.size() && text[j] == '#') {
            const bool hex = j + 1 < text.size() && (text[j + 1] == 'x' || text[j + 1] == 'X') &&
                             !(j + 1 < text.size() && ascii_digit(text[j + 1]));
            std::size_t k = j + (hex ? 2 : 1);
            const std::size_t start = k;
            long long value = 0;
            while (k < text.size() && (hex ? ascii_hex(text[k]) : ascii_digit(text[k]))) {
                const char c = text[k];
                const int digit = ascii_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
                if (value > (1LL << 40)) overflow = true;
                if (!overflow) value = value * (hex ? 16 : 10) + digit;
                ++k;
            }
            if (k > start) {
                matched = true;
                number = overflow ? -1 : value;
                j = k;
            }
        }
        if (!matched) {
            out += text[i++];
            continue;
        }
        const bool semicolon = j < text.size() && text[j] == ';';
        const std::size_t end = j + semicolon;
        bool done = false;
        if (number >= 0x80 && number <= 0x9F) {
            if (const std::uint16_t cp = cp1252_high[number - 0x80]; cp != 0) {
                append_utf8(out, cp);
                done = true;
            }
        } else if (number >= 0 && number <= 0x10FFFF && !(number >= 0xD800 && number <= 0xDFFF)) {
            append_utf8(out, static_cast<std::uint32_t>(number));
            done = true;
        }
        if (!done && !semicolon) out.append(text.substr(i, end - i));  // kept as written
        i = end;
    }
    return out;
}

std::vector<std::string> extract_regex(std::string_view pattern, std::string_view text,
                                       Entities entities) {
    const std::shared_ptr<const CompiledRegex> compiled = compile(pattern);
    const boost::wregex& re = compiled->regex;
    std::vector<std::string> strings;
    const std::wstring wide = widen(text);
    const wchar_t* begin = wide.data();
    const wchar_t* end = begin + wide.size();
    try {
        if (compiled->has_extract) {
            boost::match_results<const wchar_t*> m;
            if (boost::regex_search(begin, end, m, re) && m[L"extract"].matched) {
                strings.push_back(narrow(m[L"extract"].first, m[L"extract"].second));
            }
        } else {
            const std::size_t groups = re.mark_count();
            for (boost::wcregex_iterator it(begin, end, re), last; it != last; ++it) {
                const auto& m = *it;
                for (std::size_t g = groups == 0 ? 0 : 1; g <= groups; ++g) {
                    const auto& sub = m[static_cast<int>(g)];
                    strings.push_back(sub.matched ? narrow(sub.first, sub.second) : std::string());
                }
            }
        }
    } catch (const std::runtime_error& e) {  // Boost's guard against runaway backtracking
        throw std::runtime_error("regex '" + std::string(pattern) +
                                 "' is too costly on this text: " + e.what());
    }
    if (entities == Entities::replace) {
        for (std::string& s : strings) s = replace_entities(s);
    }
    return strings;
}

}  // namespace interloop::spider::detail
