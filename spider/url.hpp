#pragma once
// URLs for the crawler: validated http(s) URLs, joining, and Scrapy's canonical form.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace interloop::spider {

/// A URL the crawler cannot request: malformed, relative, without a host, or of a scheme other
/// than http/https. `what()` reads `invalid URL "<url>": <reason>`.
class InvalidUrl : public std::invalid_argument {
public:
    InvalidUrl(std::string_view url, std::string_view reason);

    /// The URL as it was given (possibly truncated to 2000 bytes).
    const std::string& url() const noexcept { return url_; }
    /// Why it was rejected, e.g. "scheme is not http or https".
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string url_, reason_;
};

/// An absolute http or https URL with a host, in the form requests carry it:
///
/// * surrounding whitespace removed, and tabs and newlines inside removed (as browsers do);
/// * bytes that may not appear in a URL (spaces, non-ASCII, `"<>\^`{|}`, a `%` not followed by
///   two hex digits, `[` `]` outside the host, a second `#`) percent-encoded (w3lib's
///   `safe_url_string`), so hrefs found in pages are accepted as browsers accept them;
/// * scheme and host lower-cased; an empty path becomes `/`; everything else as given
///   (the fragment too: it is never sent, but it is part of the request's URL as in Scrapy).
///
/// Cheap to copy and move (one string); `host()` is a view into it.
class HttpUrl {
public:
    /// Parses and normalizes `text`; throws InvalidUrl.
    static HttpUrl parse(std::string_view text);
    /// Parses and normalizes `text`; on failure returns nullopt and, if `why` is given, stores
    /// the reason there. Never throws except std::bad_alloc.
    static std::optional<HttpUrl> try_parse(std::string_view text, std::string* why = nullptr);

    /// The whole URL.
    const std::string& str() const noexcept { return text_; }
    /// The host, lower-cased (an IPv6 literal keeps its brackets: `[::1]`).
    std::string_view host() const noexcept {
        return std::string_view(text_).substr(host_pos_, host_len_);
    }
    /// True for https.
    bool https() const noexcept { return text_.size() > 4 && text_[4] == 's'; }
    /// The port: the one written in the URL, else 80 or 443.
    std::uint16_t port() const noexcept { return port_; }
    /// The URL of `href` on a page at this URL when `href` is a plain path reference — absolute
    /// or relative, made of unreserved characters, '/' and dot segments, with an optional
    /// `#fragment` of unreserved characters (`/a/b-c/`, `page/2/`, `../../p/5/#q41`): what
    /// urljoin would give, without parsing anything again. nullopt for any other reference
    /// (queries, percent-escapes, schemes, `//host`): use urljoin.
    std::optional<HttpUrl> join_plain_reference(std::string_view href) const;
    /// Gives the string away.
    std::string release() && noexcept { return std::move(text_); }

    friend bool operator==(const HttpUrl& a, const HttpUrl& b) noexcept {
        return a.text_ == b.text_;
    }

private:
    HttpUrl() = default;
    std::string text_;
    std::uint32_t host_pos_ = 0, host_len_ = 0;
    std::uint16_t port_ = 0;
};

/// `HttpUrl::parse(text)`: the normalized form of an absolute http(s) URL; throws InvalidUrl.
HttpUrl parse_http_url(std::string_view text);
/// `HttpUrl::try_parse(text, why)`: nullopt (and the reason in `*why`) instead of throwing.
std::optional<HttpUrl> try_parse_http_url(std::string_view text, std::string* why = nullptr);

/// Resolves `href` against the absolute URL `base` as a browser resolves a link (RFC 3986
/// section 5, with the same lenient escaping as HttpUrl). The result may be of any scheme
/// (`mailto:...` stays one); it is not checked to be http(s): pass it to HttpUrl or Request for
/// that. Throws InvalidUrl if `base` is not an absolute URL or `href` is not a URL reference.
std::string urljoin(std::string_view base, std::string_view href);
/// `urljoin`, or nullopt (the reason in `*why`) instead of throwing.
std::optional<std::string> try_urljoin(std::string_view base, std::string_view href,
                                       std::string* why = nullptr);

/// Scrapy's `canonicalize_url` (w3lib): the form used to decide whether two URLs name the same
/// resource (request fingerprints). From an http(s) URL (throws InvalidUrl otherwise):
/// scheme and host lower-cased; the default port (80, 443) dropped; an empty path made `/`;
/// percent-encoding normalized in path and query (`%7e` → `~`, `%2f` → `%2F`; reserved
/// characters stay encoded); query arguments decoded (`+` is a space), sorted by name then
/// value and re-encoded uniformly, empty arguments (`&&`) dropped, blank values kept (`a=`);
/// an empty query (a trailing `?`) removed; the fragment removed unless `keep_fragment`.
std::string canonicalize_url(std::string_view url, bool keep_fragment = false);
/// `canonicalize_url` of an already parsed URL (skips parsing it again when it is already in
/// canonical form: no query, fragment, user info, percent sign or written default port).
std::string canonicalize_url(const HttpUrl& url, bool keep_fragment = false);
/// True if `canonicalize_url(url)` is `url.str()` (a sufficient test, not a necessary one: it
/// says false for any URL with a query, fragment, user info or percent sign).
bool is_canonical(const HttpUrl& url) noexcept;

}  // namespace interloop::spider
