#pragma once
// Middlewares: small components around the downloader and around spider callbacks.

#include <optional>
#include <stdexcept>
#include <variant>

#include "reactor/failure.hpp"
#include "spider/errors.hpp"
#include "spider/item.hpp"
#include "spider/response.hpp"

namespace interloop::spider {

class Crawler;

/// What a downloader middleware can hand on: a response (downloaded or made up), or a request
/// to send through the scheduler instead (a retry, a redirect).
using DownloadResult = std::variant<Response, Request>;

/// A hook around every download (Scrapy's downloader middleware). Middlewares are ordered by
/// number: `process_request` runs from the lowest to the highest, `process_response` and
/// `process_exception` from the highest to the lowest, as in Scrapy. Called on the reactor's
/// thread; an exception thrown from a hook fails the request with it.
class DownloaderMiddleware {
public:
    virtual ~DownloaderMiddleware() = default;
    /// Called once when the crawl starts, before any other hook.
    virtual void open_spider(Crawler& /*crawler*/) {}
    /// Before the download: nullopt to go on (the request may be modified), a Response to
    /// skip the download (the later middlewares' `process_request` and the download are
    /// skipped; every middleware's `process_response` still runs), or a Request to schedule
    /// instead of this one.
    virtual std::optional<DownloadResult> process_request(Request& /*request*/) {
        return std::nullopt;
    }
    /// After a download: the response to hand on (this one, or another), or a Request to
    /// schedule instead (the response is then dropped). The request is `response.request`.
    virtual DownloadResult process_response(Response response) { return response; }
    /// After a failed download: nullopt to let it fail on, or a Response or Request to recover.
    virtual std::optional<DownloadResult> process_exception(const Request& /*request*/,
                                                            const Failure& /*failure*/) {
        return std::nullopt;
    }
};

/// A hook around spider callbacks (Scrapy's spider middleware), ordered by number like
/// downloader middlewares (`process_spider_input` lowest first; outputs pass from the highest
/// to the lowest, as Scrapy's output chain runs).
class SpiderMiddleware {
public:
    virtual ~SpiderMiddleware() = default;
    /// Called once when the crawl starts, before any other hook.
    virtual void open_spider(Crawler& /*crawler*/) {}
    /// Before the callback: throw to send the response to the request's errback instead (the
    /// HTTP error middleware throws HttpError for statuses the spider does not handle).
    virtual void process_spider_input(const Response& /*response*/) {}
    /// Each output of a callback or errback, one at a time, as it is produced: false drops it
    /// (the middleware counts why). `source` is the request whose callback produced it;
    /// `response` is its response, or nullptr for outputs of an errback.
    virtual bool process_spider_output(Output& /*output*/, const Request& /*source*/,
                                       const Response* /*response*/) {
        return true;
    }
    /// Each start request: false drops it.
    virtual bool process_start_request(Request& /*request*/) { return true; }
};

}  // namespace interloop::spider
