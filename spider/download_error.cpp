// DownloadError.

#include "spider/download_error.hpp"

#include <utility>

namespace interloop::spider {

std::string_view to_string(DownloadErrorReason reason) noexcept {
    static constexpr std::array<std::string_view, download_error_reason_count> names = {
        "dns",        "connect",         "timeout", "too_large", "too_many_redirects",
        "bad_scheme", "connection_lost", "tls",     "cancelled", "other"};
    const auto index = static_cast<std::size_t>(reason);
    return index < names.size() ? names[index] : "unknown";
}

DownloadError::DownloadError(DownloadErrorReason reason, std::string_view detail,
                             std::string_view url, int curl_code,
                             std::shared_ptr<const Request> request)
    : std::runtime_error("download failed (" + std::string(to_string(reason)) +
                         "): " + std::string(detail) + " <" + std::string(url) + ">"),
      reason_(reason),
      detail_(detail),
      url_(url),
      curl_code_(curl_code),
      request_(std::move(request)) {}

}  // namespace interloop::spider
