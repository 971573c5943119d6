#pragma once
// DepthMiddleware: how many links away from a start request each request is, with a limit
// and a priority by depth (Scrapy's depth middleware).

#include <cstdint>

#include "spider/middleware.hpp"
#include "spider/settings.hpp"
#include "spider/stats.hpp"

namespace interloop::spider {

/// Tracks request depth in meta "depth" (an `int`): start requests get 0 unless they already
/// have a depth; a request output by a callback or errback gets its source request's depth
/// plus 1 (a source without a depth, e.g. one scheduled by `Crawler::schedule`, counts as 0).
///
/// Settings (Scrapy defaults when missing): DEPTH_LIMIT (0: none) drops requests deeper than
/// it, logging "Ignoring link (depth > N): url" at debug level; DEPTH_PRIORITY lowers each
/// request's priority by depth × DEPTH_PRIORITY (a negative value raises deep requests, for
/// depth-first order); DEPTH_STATS_VERBOSE also counts `request_depth_count/<depth>` (depth 0
/// counted once per start request given depth 0 here).
///
/// Stats: `request_depth_max`, the largest depth of a request kept (absent while only start
/// requests were seen, as in Scrapy).
class DepthMiddleware : public SpiderMiddleware {
public:
    /// Reads DEPTH_LIMIT, DEPTH_PRIORITY and DEPTH_STATS_VERBOSE.
    DepthMiddleware(const Settings& settings, StatsCollector& stats);

    bool process_spider_output(Output& output, const Request& source,
                               const Response* response) override;
    bool process_start_request(Request& request) override;

    std::int64_t max_depth() const noexcept { return max_depth_; }
    std::int64_t priority_step() const noexcept { return priority_step_; }
    bool verbose_stats() const noexcept { return verbose_stats_; }

private:
    StatsCollector& stats_;
    std::int64_t max_depth_;
    std::int64_t priority_step_;
    bool verbose_stats_;
};

}  // namespace interloop::spider
