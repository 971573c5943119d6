#pragma once
// RetryMiddleware: downloads that failed for a reason that may pass are tried again
// (Scrapy's retry middleware and its get_retry_request).

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spider/download_error.hpp"
#include "spider/middleware.hpp"
#include "spider/settings.hpp"
#include "spider/stats.hpp"

namespace interloop::spider {

/// How `get_retry_request` retries one request.
struct RetryRequestOptions {
    /// Why, as counted: the stat `<stats_base_key>/reason_count/<reason>`.
    std::string_view reason = "unspecified";
    /// Why, as logged; empty means `reason`. (Scrapy logs an exception's message but counts
    /// its class name.)
    std::string_view description = {};
    /// How many retries the request may have had in all (meta "retry_times" counts them).
    std::int64_t max_retry_times = 2;
    /// Added to the retry's priority (negative: retries run after fresh requests).
    std::int64_t priority_adjust = -1;
    /// Prefix of the stats keys.
    std::string_view stats_base_key = "retry";
};

/// A copy of `request` to try again (Scrapy's `get_retry_request`), or nullopt once it has
/// been retried `max_retry_times` times. The copy has meta "retry_times" (an `int`) one
/// higher, `dont_filter` set (the duplicate filter has seen it) and its priority adjusted.
/// Counts `retry/count` and `retry/reason_count/<reason>` (`retry` being `stats_base_key`), logs
/// "Retrying <GET url> (failed N times): ..." at debug level; when giving up, counts
/// `retry/max_reached` and logs "Gave up retrying ..." at error level. Spiders may call it to retry
/// a page they judge bad.
std::optional<Request> get_retry_request(const Request& request, StatsCollector& stats,
                                         const RetryRequestOptions& options);

/// Retries requests whose response status is in RETRY_HTTP_CODES, and downloads that failed
/// for a transient reason, at most RETRY_TIMES times each (Scrapy's `RetryMiddleware`).
///
/// Settings (a setting missing from the Settings given takes its Scrapy default):
/// RETRY_ENABLED (false: every hook passes everything on), RETRY_TIMES,
/// RETRY_HTTP_CODES, RETRY_PRIORITY_ADJUST, and RETRY_DOWNLOAD_ERRORS (interloop's
/// RETRY_EXCEPTIONS: the DownloadErrorReason names to retry, default
/// "dns,connect,timeout,connection_lost").
///
/// Request meta: "dont_retry" (bool) turns retrying off; "max_retry_times" and
/// "priority_adjust" (integers) override the settings for that request.
///
/// Reasons in stats: a status is counted as Scrapy spells it ("503 Service Unavailable"); a
/// DownloadError as `interloop.DownloadError.<reason>` (e.g. `interloop.DownloadError.timeout`,
/// standing for Scrapy's exception class path); the Deferred layer's TimeoutError as
/// `interloop.TimeoutError` (Scrapy retries Twisted's `defer.TimeoutError` too).
class RetryMiddleware : public DownloaderMiddleware {
public:
    /// Reads the RETRY_* settings now; throws SettingsError for a malformed one.
    RetryMiddleware(const Settings& settings, StatsCollector& stats);

    /// A retry of `response.request` when the status is one to retry and retries are left;
    /// otherwise `response` itself (also when retries are exhausted: the spider then sees it).
    DownloadResult process_response(Response response) override;
    /// A retry of `request` for a retryable failure with retries left; nullopt otherwise (the
    /// failure goes on to the errback).
    std::optional<DownloadResult> process_exception(const Request& request,
                                                    const Failure& failure) override;

    bool enabled() const noexcept { return enabled_; }
    std::int64_t max_retry_times() const noexcept { return max_retry_times_; }
    const std::vector<int>& retry_http_codes() const noexcept { return retry_http_codes_; }
    /// True if a DownloadError of this reason is retried.
    bool retries(DownloadErrorReason reason) const noexcept {
        return retried_reasons_.test(static_cast<std::size_t>(reason));
    }

private:
    std::optional<Request> retry(const Request& request, std::string_view reason,
                                 std::string_view description);

    StatsCollector& stats_;
    bool enabled_;
    std::int64_t max_retry_times_;
    std::int64_t priority_adjust_;
    std::vector<int> retry_http_codes_;
    std::bitset<download_error_reason_count> retried_reasons_;
};

}  // namespace interloop::spider
