// UrlLengthMiddleware.

#include "spider/middlewares/url_length.hpp"

#include "reactor/log.hpp"
#include "spider/middlewares/detail/setting_source.hpp"

namespace interloop::spider {

UrlLengthMiddleware::UrlLengthMiddleware(const Settings& settings, StatsCollector& stats)
    : stats_(stats),
      max_length_(detail::setting_source(settings, "URLLENGTH_LIMIT").get_int("URLLENGTH_LIMIT")) {}

bool UrlLengthMiddleware::process_spider_output(Output& output, const Request& /*source*/,
                                                const Response* /*response*/) {
    const auto* request = std::get_if<Request>(&output);
    return request == nullptr || keep(*request);
}

bool UrlLengthMiddleware::process_start_request(Request& request) {
    return keep(request);
}

bool UrlLengthMiddleware::keep(const Request& request) {
    if (max_length_ == 0 || static_cast<std::int64_t>(request.url().size()) <= max_length_)
        return true;
    log::emit(log::Level::info, "interloop.spidermiddlewares.urllength",
              "Ignoring link (url length > {}): {}", max_length_, request.url());
    stats_.inc_value("urllength/request_ignored_count");
    return false;
}

}  // namespace interloop::spider
