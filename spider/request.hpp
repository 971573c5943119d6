#pragma once
// Request: what the crawler downloads, and what to call with the result.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "spider/headers.hpp"
#include "spider/meta.hpp"
#include "spider/url.hpp"

namespace interloop {
class Failure;
}

namespace interloop::spider {

class CallbackResult;
class Request;
class Response;

/// The callback of a request: called by the engine with the downloaded response. It returns its
/// outputs — at once, or later through a Deferred (see CallbackResult). The engine keeps the
/// response alive, at the same address, until those outputs are all processed, so a callback
/// that finishes later may keep referring to it. An exception it throws is logged and counted
/// (`spider_exceptions/<type>`), and the crawl goes on.
using RequestCallback = std::function<CallbackResult(const Response&)>;
/// The errback of a request: called by the engine with the failure (a `DownloadError`, an
/// `HttpError` for an unhandled status, or whatever a middleware raised) and the request that
/// failed (both kept alive like a callback's response). It may return outputs like a callback.
using RequestErrback = std::function<CallbackResult(const Failure&, const Request&)>;

/// One HTTP request of a crawl (Scrapy's `Request`), a value type: copy it to make a variant.
///
/// The URL is the one field with an invariant: it is always an absolute http(s) URL with a
/// host, normalized as `HttpUrl` describes, so constructing a Request from anything else throws
/// InvalidUrl (or use `try_make`). The other fields are plain data:
///
/// ```cpp
/// Request r("https://quotes.toscrape.com/page/2/");
/// r.priority = 10;
/// r.headers.set("Referer", "https://quotes.toscrape.com/");
/// r.meta.set("depth", 2);
/// r.callback = [this](const Response& page) -> CallbackResult { ... };
/// ```
class Request {
public:
    /// A GET request for `url`; throws InvalidUrl if it is not an absolute http(s) URL.
    explicit Request(std::string_view url) : url_(HttpUrl::parse(url)) {}
    /// A GET request for an already validated URL.
    explicit Request(HttpUrl url) noexcept : url_(std::move(url)) {}
    /// A GET request for `url` whose response goes to `callback`.
    Request(std::string_view url, RequestCallback on_response)
        : callback(std::move(on_response)), url_(HttpUrl::parse(url)) {}

    /// A GET request for `url`, or nullopt (with the reason in `*why`) if the URL is not an
    /// absolute http(s) URL: the form for links found in pages, where bad ones are common and
    /// an exception would cost more than the check.
    static std::optional<Request> try_make(std::string_view url, std::string* why = nullptr);

    /// The normalized URL.
    const std::string& url() const noexcept { return url_.str(); }
    /// The URL's host (lower-cased): the downloader's per-domain slot.
    std::string_view host() const noexcept { return url_.host(); }
    /// The URL with its parsed parts.
    const HttpUrl& http_url() const noexcept { return url_; }
    /// Replaces the URL (Scrapy's `replace(url=...)`); throws InvalidUrl and leaves the request
    /// unchanged if `url` is not valid.
    void set_url(std::string_view url) { url_ = HttpUrl::parse(url); }

    /// The HTTP method, upper case by convention: "GET", "POST", "HEAD", ...
    std::string method = "GET";
    /// Request headers; the downloader adds Host, User-Agent (unless set here), Accept-Encoding.
    Headers headers;
    /// The request body (sent for any method when not empty).
    std::string body;
    /// Higher runs earlier (the scheduler's order); may be negative.
    int priority = 0;
    /// Skip the duplicate filter for this request.
    bool dont_filter = false;
    /// Called with the response; empty means the spider's default `parse`.
    RequestCallback callback;
    /// Called with the failure; empty means the failure is logged and counted.
    RequestErrback errback;
    /// Typed per-request data (Scrapy's `meta`).
    Meta meta;

private:
    HttpUrl url_;
};

}  // namespace interloop::spider
