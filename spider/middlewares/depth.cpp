// DepthMiddleware.

#include "spider/middlewares/depth.hpp"

#include <fmt/format.h>

#include "reactor/log.hpp"
#include "spider/middlewares/detail/meta_int.hpp"
#include "spider/middlewares/detail/setting_source.hpp"

namespace interloop::spider {

DepthMiddleware::DepthMiddleware(const Settings& settings, StatsCollector& stats)
    : stats_(stats),
      max_depth_(detail::setting_source(settings, "DEPTH_LIMIT").get_int("DEPTH_LIMIT")),
      priority_step_(detail::setting_source(settings, "DEPTH_PRIORITY").get_int("DEPTH_PRIORITY")),
      verbose_stats_(
          detail::setting_source(settings, "DEPTH_STATS_VERBOSE").get_bool("DEPTH_STATS_VERBOSE")) {
}

bool DepthMiddleware::process_start_request(Request& request) {
    // Scrapy gives depth 0 to the start request's response when its callback output is
    // processed; setting it on the request now is the same value, visible earlier.
    if (!detail::meta_int(request.meta, "depth")) {
        request.meta.set("depth", 0);
        if (verbose_stats_) stats_.inc_value("request_depth_count/0");
    }
    return true;
}

bool DepthMiddleware::process_spider_output(Output& output, const Request& source,
                                            const Response* /*response*/) {
    auto* request = std::get_if<Request>(&output);
    if (request == nullptr) return true;
    const std::int64_t depth = detail::meta_int(source.meta, "depth").value_or(0) + 1;
    request->meta.set("depth", static_cast<int>(depth));
    if (priority_step_ != 0)
        request->priority = static_cast<int>(request->priority - depth * priority_step_);
    if (max_depth_ != 0 && depth > max_depth_) {
        log::emit(log::Level::debug, "interloop.spidermiddlewares.depth",
                  "Ignoring link (depth > {}): {}", max_depth_, request->url());
        return false;
    }
    if (verbose_stats_) stats_.inc_value(fmt::format("request_depth_count/{}", depth));
    stats_.max_value("request_depth_max", depth);
    return true;
}

}  // namespace interloop::spider
