#pragma once
// Response: what the downloader produced for a Request.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "spider/headers.hpp"
#include "spider/request.hpp"
#include "spider/selector.hpp"

namespace interloop::spider {

/// A downloaded HTTP response (Scrapy's `Response`), carrying the Request it answers. Any
/// status is a response: a 404 or a 500 is a value, not an error (middlewares decide).
///
/// The body is already decoded from the Content-Encoding (gzip, deflate, br, zstd) the
/// downloader asked for; `headers` are the final response's, as the server sent them.
class Response {
public:
    /// A response to `request`, with `url` set to the request's URL and nothing else yet.
    explicit Response(Request request) : url(request.url()), request(std::move(request)) {}
    /// A complete response (for tests and for middlewares that answer from a cache).
    Response(Request request, int status, std::string body, Headers headers = {})
        : status(status),
          headers(std::move(headers)),
          body(std::move(body)),
          url(request.url()),
          request(std::move(request)) {}

    /// The HTTP status code of the final response (after redirects).
    int status = 0;
    /// The final response's headers.
    Headers headers;
    /// The body, decoded from its Content-Encoding.
    std::string body;
    /// The URL that answered: the request's, or where redirects led.
    std::string url;
    /// "HTTP/1.0", "HTTP/1.1", "HTTP/2" or "HTTP/3"; empty when not downloaded over HTTP.
    std::string protocol;
    /// How many redirects were followed to get here.
    int redirects = 0;
    /// The request this answers (as given to the downloader: its URL is the first one).
    Request request;

    /// The body as bytes (raw: turning them into text in the right encoding is the selectors'
    /// job, which also looks at `<meta charset>`).
    std::string_view text() const noexcept { return body; }

    /// The body parsed as HTML (on first use; copies of this response made afterwards share
    /// the parsed document), in the charset of the Content-Type header, a `<meta>` or a BOM.
    const Selector& selector() const;
    /// `selector().css(query)` (Scrapy's `response.css`).
    SelectorList css(std::string_view query) const { return selector().css(query); }
    /// `selector().xpath(expression)` (Scrapy's `response.xpath`).
    SelectorList xpath(std::string_view expression) const { return selector().xpath(expression); }

    /// `href` resolved against this response's `url`; throws InvalidUrl if `href` is malformed.
    /// The result may be of any scheme (see spider::urljoin).
    std::string urljoin(std::string_view href) const { return spider::urljoin(url, href); }

    /// A new GET request for `href` resolved against this response (Scrapy's `follow`): it
    /// takes nothing from this response's request but the base URL. Throws InvalidUrl if the
    /// result is not an http(s) URL (`mailto:`, `javascript:`, malformed).
    Request follow(std::string_view href) const;
    /// `follow(href)` with `callback` set.
    Request follow(std::string_view href, RequestCallback callback) const;
    /// `follow(href)`, or nullopt (the reason in `*why`) instead of throwing.
    std::optional<Request> try_follow(std::string_view href, std::string* why = nullptr) const;

private:
    std::optional<Request> follow_plain(std::string_view href) const;

    mutable std::shared_ptr<const Selector> selector_;
};

}  // namespace interloop::spider
