// HttpErrorMiddleware.

#include "spider/middlewares/http_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "reactor/log.hpp"
#include "spider/middlewares/detail/setting_source.hpp"

namespace interloop::spider {
namespace {

constexpr std::string_view logger = "interloop.spidermiddlewares.httperror";

bool contains(const std::vector<int>& codes, int status) {
    return std::find(codes.begin(), codes.end(), status) != codes.end();
}

}  // namespace

HttpErrorMiddleware::HttpErrorMiddleware(const Settings& settings, StatsCollector& stats)
    : stats_(stats),
      allow_all_(
          detail::setting_source(settings, "HTTPERROR_ALLOW_ALL").get_bool("HTTPERROR_ALLOW_ALL")) {
    for (std::int64_t code : detail::setting_source(settings, "HTTPERROR_ALLOWED_CODES")
                                 .get_int_list("HTTPERROR_ALLOWED_CODES"))
        allowed_codes_.push_back(static_cast<int>(code));
}

bool HttpErrorMiddleware::allowed(const Response& response) const {
    if (response.status >= 200 && response.status < 300) return true;
    const Meta& meta = response.request.meta;
    if (meta.value_or("handle_httpstatus_all", false)) return true;
    // The request's own list is checked before HTTPERROR_ALLOW_ALL, as in Scrapy: a spider
    // that names the statuses it handles gets errbacks for the rest even when all are allowed.
    if (const auto* list = meta.get<std::vector<int>>("handle_httpstatus_list"))
        return contains(*list, response.status);
    return allow_all_ || contains(allowed_codes_, response.status);
}

void HttpErrorMiddleware::process_spider_input(const Response& response) {
    if (allowed(response)) return;
    stats_.inc_value("httperror/response_ignored_count");
    stats_.inc_value(fmt::format("httperror/response_ignored_status_count/{}", response.status));
    log::emit(log::Level::info, logger,
              "Ignoring response <{} {}>: HTTP status code is not handled or not allowed",
              response.status, response.url);
    throw HttpError(std::make_shared<const Response>(response));
}

}  // namespace interloop::spider
