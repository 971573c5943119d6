#pragma once
// HttpErrorMiddleware: responses with an error status go to the errback, not the callback
// (Scrapy's httperror spider middleware).

#include <vector>

#include "spider/middleware.hpp"
#include "spider/settings.hpp"
#include "spider/stats.hpp"

namespace interloop::spider {

/// Lets 2xx responses reach their callback and turns the others into an HttpError for the
/// request's errback, unless the spider says it handles that status:
///
/// * request meta "handle_httpstatus_all" (bool) true: every status is handled;
/// * else request meta "handle_httpstatus_list" (`std::vector<int>`): exactly those statuses
///   are handled (this overrides both settings, HTTPERROR_ALLOW_ALL included);
/// * else setting HTTPERROR_ALLOW_ALL: every status; else HTTPERROR_ALLOWED_CODES: those.
///
/// Counting and logging happen here, when the error is thrown (Scrapy does it in
/// `process_spider_exception`, which this interface has not): `httperror/response_ignored_count`,
/// `httperror/response_ignored_status_count/<status>`, and at info level "Ignoring response
/// <404 url>: HTTP status code is not handled or not allowed". The engine neither counts nor
/// logs an HttpError again. (One difference: Scrapy skips both when an errback recovers from the
/// HttpError; here they happen whatever the errback does.)
class HttpErrorMiddleware : public SpiderMiddleware {
public:
    /// Reads HTTPERROR_ALLOW_ALL and HTTPERROR_ALLOWED_CODES (Scrapy defaults when missing).
    HttpErrorMiddleware(const Settings& settings, StatsCollector& stats);

    /// Throws HttpError (holding a copy of `response`) for a status the spider does not handle.
    void process_spider_input(const Response& response) override;

    /// True if `response` may go to its callback.
    bool allowed(const Response& response) const;

private:
    StatsCollector& stats_;
    bool allow_all_;
    std::vector<int> allowed_codes_;
};

}  // namespace interloop::spider
