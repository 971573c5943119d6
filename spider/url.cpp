// HttpUrl, urljoin and canonicalize_url on Boost.URL's parsers (url_view only: no allocation
// beyond the result string). Boost 1.81's url::normalize_path decodes %2F into '/', which
// changes the path's meaning, so percent-encoding is normalized here by hand.

#include "spider/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <utility>
#include <vector>

namespace interloop::spider {

namespace urls = boost::urls;

namespace {

constexpr std::size_t max_reported_url = 2000;
constexpr char hex_digits[] = "0123456789ABCDEF";

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    return (c | 0x20) - 'a' + 10;
}

bool is_alnum(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

bool is_unreserved(unsigned char c) noexcept {
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 reserved characters plus '%': what may appear in a URI as written.
bool is_uri_char(unsigned char c) noexcept {
    if (is_unreserved(c)) return true;
    switch (c) {
        case ':':
        case '/':
        case '?':
        case '#':
        case '[':
        case ']':
        case '@':
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
        case '%':
            return true;
        default:
            return false;
    }
}

void append_escaped(std::string& out, unsigned char c) {
    out += '%';
    out += hex_digits[c >> 4];
    out += hex_digits[c & 15];
}

char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
}

void lower_in_place(std::string& s, std::size_t pos, std::size_t len) noexcept {
    for (std::size_t i = pos; i < pos + len; ++i) s[i] = to_lower(s[i]);
}

// The end of the authority of `s` if it has one ("scheme://" or a leading "//"), else 0.
std::pair<std::size_t, std::size_t> authority_span(std::string_view s) noexcept {
    std::size_t start = std::string_view::npos;
    if (s.starts_with("//")) {
        start = 2;
    } else {
        std::size_t i = 0;
        while (i < s.size() && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
        if (i > 0 && s.substr(i).starts_with("://")) start = i + 3;
    }
    if (start == std::string_view::npos) return {0, 0};
    std::size_t end = s.find_first_of("/?#", start);
    return {start, end == std::string_view::npos ? s.size() : end};
}

// w3lib's safe_url_string, roughly: trims, drops tabs and newlines, percent-encodes what may
// not appear in a URL.
std::string make_safe(std::string_view text) {
    auto is_space = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    const auto [auth_begin, auth_end] = authority_span(text);
    std::string out;
    out.reserve(text.size() + 8);
    bool seen_hash = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\t' || c == '\n' || c == '\r') continue;
        const bool in_authority = i >= auth_begin && i < auth_end;
        if (c == '%' && !(i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])))
            append_escaped(out, c);
        else if (c == '#' && seen_hash)
            append_escaped(out, c);
        else if ((c == '[' || c == ']') && !in_authority)
            append_escaped(out, c);
        else if (is_uri_char(c))
            out += char(c);
        else
            append_escaped(out, c);
        if (c == '#') seen_hash = true;
    }
    return out;
}

// Appends `in` with percent-encoding normalized: triplets upper-cased, unreserved decoded.
void append_normalized(std::string& out, std::string_view in) {
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && is_hex(in[i + 1]) && is_hex(in[i + 2])) {
            const auto byte =
                static_cast<unsigned char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            if (is_unreserved(byte))
                out += char(byte);
            else
                append_escaped(out, byte);
            i += 2;
        } else {
            out += in[i];
        }
    }
}

// Decodes one query component as parse_qsl does ('+' is a space).
std::string decode_query_part(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%' && i + 2 < in.size() && is_hex(in[i + 1]) && is_hex(in[i + 2])) {
            out += char(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

void append_query_part(std::string& out, std::string_view decoded) {
    for (char ch : decoded) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c))
            out += ch;
        else if (c == ' ')
            out += '+';
        else
            append_escaped(out, c);
    }
}

// Sorted, uniformly encoded query arguments; empty when there are none.
std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> args;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        std::string_view field = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (field.empty()) continue;
        const std::size_t eq = field.find('=');
        std::string_view key = field.substr(0, eq);
        std::string_view value =
            eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1);
        args.emplace_back(decode_query_part(key), decode_query_part(value));
    }
    std::sort(args.begin(), args.end());
    std::string out;
    for (const auto& [key, value] : args) {
        if (!out.empty()) out += '&';
        append_query_part(out, key);
        out += '=';
        append_query_part(out, value);
    }
    return out;
}

std::string_view clip(std::string_view url) noexcept {
    return url.substr(0, max_reported_url);
}

}  // namespace

InvalidUrl::InvalidUrl(std::string_view url, std::string_view reason)
    : std::invalid_argument("invalid URL \"" + std::string(clip(url)) +
                            "\": " + std::string(reason)),
      url_(clip(url)),
      reason_(reason) {}

std::optional<HttpUrl> HttpUrl::try_parse(std::string_view text, std::string* why) {
    auto reject = [why](std::string reason) -> std::optional<HttpUrl> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    if (text.size() > 64 * 1024) return reject("longer than 64 KiB");
    std::string s = make_safe(text);
    if (s.empty()) return reject("empty");
    auto parsed = urls::parse_uri(s);
    if (!parsed) {
        if (urls::parse_relative_ref(s)) return reject("relative URL without a base");
        return reject("malformed URL");
    }
    const urls::url_view v = *parsed;
    if (v.scheme_id() != urls::scheme::http && v.scheme_id() != urls::scheme::https)
        return reject("scheme \"" + std::string(v.scheme()) + "\" is not http or https");
    if (!v.has_authority() || v.encoded_host().empty()) return reject("no host");
    if (v.host_type() == urls::host_type::ipvfuture) return reject("unsupported host address");
    const bool https = v.scheme_id() == urls::scheme::https;
    // Boost 1.81 accepts "http://host:8x/" as port "8" and path "x/" (RFC 3986 wants the path
    // after an authority to be empty or start with '/').
    if (!v.encoded_path().empty() && v.encoded_path().front() != '/')
        return reject("malformed host or port");
    // The port as written.
    const std::string_view authority = v.encoded_authority();
    const std::string_view host_text = v.encoded_host();
    const std::string_view after_host = authority.substr(
        static_cast<std::size_t>(host_text.data() + host_text.size() - authority.data()));
    std::uint16_t port = https ? 443 : 80;
    if (!after_host.empty() && after_host.size() > 1) {
        const std::string_view digits = after_host.substr(1);  // after ':'
        unsigned long value = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return reject("malformed port");
            value = value * 10 + unsigned(c - '0');
            if (value > 65535) break;
        }
        if (value == 0 || value > 65535) return reject("port out of range");
        port = static_cast<std::uint16_t>(value);
    }
    // Offsets first: the edits below change `s`, which `v` views.
    const std::size_t scheme_len = v.scheme().size();
    const auto host_pos = static_cast<std::size_t>(v.encoded_host().data() - s.data());
    const std::size_t host_len = v.encoded_host().size();
    const auto path_pos = static_cast<std::size_t>(v.encoded_path().data() - s.data());
    const bool empty_path = v.encoded_path().empty();
    lower_in_place(s, 0, scheme_len);
    lower_in_place(s, host_pos, host_len);
    if (empty_path) s.insert(path_pos, 1, '/');

    HttpUrl url;
    url.text_ = std::move(s);
    url.host_pos_ = static_cast<std::uint32_t>(host_pos);
    url.host_len_ = static_cast<std::uint32_t>(host_len);
    url.port_ = port;
    return url;
}

HttpUrl HttpUrl::parse(std::string_view text) {
    std::string why;
    auto url = try_parse(text, &why);
    if (!url) throw InvalidUrl(text, why);
    return std::move(*url);
}

namespace {

// RFC 3986 section 5.2.4 on a path made of plain segments, appended to `out` (which holds the
// part of the URL before the path).
void append_without_dot_segments(std::string& out, std::string_view path) {
    const std::size_t root = out.size();
    while (!path.empty()) {
        if (path.starts_with("../")) {
            path.remove_prefix(3);
        } else if (path.starts_with("./")) {
            path.remove_prefix(2);
        } else if (path.starts_with("/./") || path == "/.") {
            path.remove_prefix(2);
            if (path.empty()) out += '/';
        } else if (path.starts_with("/../") || path == "/..") {
            path.remove_prefix(3);
            std::size_t last = out.rfind('/');
            out.resize(last == std::string::npos || last < root ? root : last);
            if (path.empty()) out += '/';
        } else if (path == "." || path == "..") {
            path = {};
        } else {
            std::size_t end = path.find('/', 1);
            if (end == std::string_view::npos) end = path.size();
            out.append(path.substr(0, end));
            path.remove_prefix(end);
        }
    }
}

}  // namespace

std::optional<HttpUrl> HttpUrl::join_plain_reference(std::string_view href) const {
    if (href.empty() || href.starts_with("//")) return std::nullopt;
    const std::size_t hash = href.find('#');
    const std::string_view path = href.substr(0, hash);
    for (char c : href.substr(0, hash))
        if (c != '/' && !is_unreserved(static_cast<unsigned char>(c))) return std::nullopt;
    if (hash != std::string_view::npos)
        for (char c : href.substr(hash + 1))
            if (!is_unreserved(static_cast<unsigned char>(c))) return std::nullopt;
    if (path.empty()) return std::nullopt;  // "#frag" keeps the base's query: urljoin's job

    const std::size_t path_pos = text_.find('/', host_pos_ + host_len_);
    HttpUrl joined;
    joined.text_.reserve(text_.size() + href.size());
    joined.text_.append(text_, 0, path_pos);
    if (path.front() == '/') {
        append_without_dot_segments(joined.text_, path);
    } else {  // merge with the base path's directory
        const std::string_view base_path = std::string_view(text_).substr(
            path_pos, text_.find_first_of("?#", path_pos) - path_pos);
        std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
        merged += path;
        append_without_dot_segments(joined.text_, merged);
    }
    if (hash != std::string_view::npos) joined.text_.append(href.substr(hash));
    joined.host_pos_ = host_pos_;
    joined.host_len_ = host_len_;
    joined.port_ = port_;
    return joined;
}

HttpUrl parse_http_url(std::string_view text) {
    return HttpUrl::parse(text);
}

std::optional<HttpUrl> try_parse_http_url(std::string_view text, std::string* why) {
    return HttpUrl::try_parse(text, why);
}

std::optional<std::string> try_urljoin(std::string_view base, std::string_view href,
                                       std::string* why) {
    auto reject = [why](const char* reason) -> std::optional<std::string> {
        if (why) *why = reason;
        return std::nullopt;
    };
    const std::string safe_base = make_safe(base);
    auto base_view = urls::parse_uri(safe_base);
    if (!base_view) return reject("the base is not an absolute URL");
    const std::string safe_href = make_safe(href);
    auto ref = urls::parse_uri_reference(safe_href);
    if (!ref) return reject("malformed link");
    urls::url joined;
    if (!urls::resolve(*base_view, *ref, joined)) return reject("cannot be resolved");
    return std::string(joined.buffer());
}

std::string urljoin(std::string_view base, std::string_view href) {
    std::string why;
    auto joined = try_urljoin(base, href, &why);
    if (!joined) throw InvalidUrl(why.starts_with("the base") ? base : href, why);
    return std::move(*joined);
}

std::string canonicalize_url(std::string_view url, bool keep_fragment) {
    return canonicalize_url(HttpUrl::parse(url), keep_fragment);
}

bool is_canonical(const HttpUrl& url) noexcept {
    const std::string& text = url.str();
    const std::size_t after_host =
        static_cast<std::size_t>(url.host().data() + url.host().size() - text.data());
    // Nothing to decode, sort or drop, and no port written, or not the default one.
    const bool written_default_port =
        text[after_host] == ':' && url.port() == (url.https() ? 443 : 80);
    return text.find_first_of("%?#@") == std::string::npos && !written_default_port;
}

std::string canonicalize_url(const HttpUrl& parsed, bool keep_fragment) {
    const std::string& text = parsed.str();
    if (is_canonical(parsed)) return text;
    const urls::url_view v = urls::parse_uri(parsed.str()).value();
    std::string out;
    out.reserve(parsed.str().size());
    out += v.scheme();
    out += "://";
    if (v.has_userinfo()) {
        out += v.encoded_userinfo();
        out += '@';
    }
    out += parsed.host();
    if (parsed.port() != (parsed.https() ? 443 : 80)) {
        out += ':';
        out += std::to_string(parsed.port());
    }
    append_normalized(out, v.encoded_path());
    if (v.has_query()) {
        std::string query = canonical_query(v.encoded_query());
        if (!query.empty()) {
            out += '?';
            out += query;
        }
    }
    if (keep_fragment && v.has_fragment()) {
        out += '#';
        append_normalized(out, v.encoded_fragment());
    }
    return out;
}

}  // namespace interloop::spider
