// RetryMiddleware and get_retry_request.

#include "spider/middlewares/retry.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reactor/errors.hpp"
#include "reactor/log.hpp"
#include "spider/middlewares/detail/meta_int.hpp"
#include "spider/middlewares/detail/setting_source.hpp"
#include "spider/middlewares/status_message.hpp"

namespace interloop::spider {
namespace {

constexpr std::string_view logger = "interloop.downloadermiddlewares.retry";

// Scrapy's RETRY_EXCEPTIONS, mapped onto download error reasons: timeouts, refused or failed
// connections, lost connections (ConnectionLost, ResponseFailed) and DNS errors. Not retried:
// a body too large, too many redirects and a bad redirect scheme (retrying cannot change
// them), a cancelled download (the crawl is closing), TLS failures (Scrapy does not list
// them) and "other" (malformed replies and bad encodings, which repeat).
constexpr std::string_view default_retried_reasons = "dns,connect,timeout,connection_lost";

std::bitset<download_error_reason_count> parse_reasons(const Settings& settings) {
    constexpr std::string_view name = "RETRY_DOWNLOAD_ERRORS";
    std::vector<std::string> names;
    if (settings.contains(name)) {
        names = settings.get_list(name);
    } else {
        Settings fallback;
        fallback.set(name, default_retried_reasons);
        names = fallback.get_list(name);
    }
    std::bitset<download_error_reason_count> reasons;
    for (const auto& text : names) {
        bool known = false;
        for (std::size_t i = 0; i < download_error_reason_count; ++i) {
            if (to_string(static_cast<DownloadErrorReason>(i)) == text) {
                reasons.set(i);
                known = true;
            }
        }
        if (!known)
            throw SettingsError(
                fmt::format("setting {}: '{}' is not a download error reason", name, text));
    }
    return reasons;
}

std::string describe(const Request& request) {
    return fmt::format("<{} {}>", request.method, request.url());
}

}  // namespace

std::optional<Request> get_retry_request(const Request& request, StatsCollector& stats,
                                         const RetryRequestOptions& options) {
    const std::int64_t retry_times = detail::meta_int(request.meta, "retry_times").value_or(0) + 1;
    const std::string_view description =
        options.description.empty() ? options.reason : options.description;
    if (retry_times > options.max_retry_times) {
        stats.inc_value(fmt::format("{}/max_reached", options.stats_base_key));
        log::emit(log::Level::error, logger, "Gave up retrying {} (failed {} times): {}",
                  describe(request), retry_times, description);
        return std::nullopt;
    }
    log::emit(log::Level::debug, logger, "Retrying {} (failed {} times): {}", describe(request),
              retry_times, description);
    Request retry = request;
    retry.meta.set("retry_times", static_cast<int>(retry_times));
    retry.dont_filter = true;
    retry.priority = static_cast<int>(request.priority + options.priority_adjust);
    stats.inc_value(fmt::format("{}/count", options.stats_base_key));
    stats.inc_value(fmt::format("{}/reason_count/{}", options.stats_base_key, options.reason));
    return retry;
}

RetryMiddleware::RetryMiddleware(const Settings& settings, StatsCollector& stats)
    : stats_(stats),
      enabled_(detail::setting_source(settings, "RETRY_ENABLED").get_bool("RETRY_ENABLED")),
      max_retry_times_(detail::setting_source(settings, "RETRY_TIMES").get_int("RETRY_TIMES")),
      priority_adjust_(detail::setting_source(settings, "RETRY_PRIORITY_ADJUST")
                           .get_int("RETRY_PRIORITY_ADJUST")),
      retried_reasons_(parse_reasons(settings)) {
    for (std::int64_t code :
         detail::setting_source(settings, "RETRY_HTTP_CODES").get_int_list("RETRY_HTTP_CODES"))
        retry_http_codes_.push_back(static_cast<int>(code));
}

DownloadResult RetryMiddleware::process_response(Response response) {
    const Request& request = response.request;
    if (!enabled_ || request.meta.value_or("dont_retry", false)) return response;
    if (std::find(retry_http_codes_.begin(), retry_http_codes_.end(), response.status) ==
        retry_http_codes_.end())
        return response;
    const std::string reason = status_message(response.status);
    if (auto again = retry(request, reason, reason)) return std::move(*again);
    return response;
}

std::optional<DownloadResult> RetryMiddleware::process_exception(const Request& request,
                                                                 const Failure& failure) {
    if (!enabled_ || request.meta.value_or("dont_retry", false)) return std::nullopt;
    std::string reason;
    try {
        failure.raise();
    } catch (const DownloadError& error) {
        if (!retries(error.reason())) return std::nullopt;
        reason = fmt::format("interloop.DownloadError.{}", to_string(error.reason()));
    } catch (const TimeoutError&) {
        reason = "interloop.TimeoutError";
    } catch (...) {
        return std::nullopt;
    }
    if (auto again = retry(request, reason, failure.message())) return std::move(*again);
    return std::nullopt;
}

std::optional<Request> RetryMiddleware::retry(const Request& request, std::string_view reason,
                                              std::string_view description) {
    RetryRequestOptions options;
    options.reason = reason;
    options.description = description;
    options.max_retry_times =
        detail::meta_int(request.meta, "max_retry_times").value_or(max_retry_times_);
    options.priority_adjust =
        detail::meta_int(request.meta, "priority_adjust").value_or(priority_adjust_);
    return get_retry_request(request, stats_, options);
}

}  // namespace interloop::spider
