#pragma once
// UrlLengthMiddleware: requests with overly long URLs are dropped (Scrapy's urllength
// middleware).

#include <cstdint>

#include "spider/middleware.hpp"
#include "spider/settings.hpp"
#include "spider/stats.hpp"

namespace interloop::spider {

/// Drops requests whose URL (normalized, as `Request::url()` gives it) is longer than
/// URLLENGTH_LIMIT characters (0: no limit; Scrapy's default 2083 when missing), both start
/// requests and callback outputs, as Scrapy 2.13+ does. Each drop counts
/// `urllength/request_ignored_count` and logs "Ignoring link (url length > N): url" at info
/// level (Scrapy's level). Items pass untouched.
class UrlLengthMiddleware : public SpiderMiddleware {
public:
    /// Reads URLLENGTH_LIMIT; throws SettingsError if it is not an integer.
    UrlLengthMiddleware(const Settings& settings, StatsCollector& stats);

    bool process_spider_output(Output& output, const Request& source,
                               const Response* response) override;
    bool process_start_request(Request& request) override;

    /// The limit; 0 when off.
    std::int64_t max_length() const noexcept { return max_length_; }

private:
    bool keep(const Request& request);

    StatsCollector& stats_;
    std::int64_t max_length_;
};

}  // namespace interloop::spider
