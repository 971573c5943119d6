#pragma once
// DownloadError: why a download produced no response, typed so that middlewares (retry) decide.

#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spider/request.hpp"

namespace interloop::spider {

/// Why a download failed. HTTP error statuses are not here: a 404 or 503 is a Response.
enum class DownloadErrorReason {
    dns,                 ///< the host name could not be resolved
    connect,             ///< no connection: refused, unreachable, connect timed out
    timeout,             ///< DOWNLOAD_TIMEOUT elapsed (connecting, waiting or reading)
    too_large,           ///< the body exceeds DOWNLOAD_MAXSIZE (announced or received)
    too_many_redirects,  ///< more than REDIRECT_MAX_TIMES redirects
    bad_scheme,          ///< a redirect to a scheme other than http/https
    connection_lost,     ///< the server closed or reset the connection before a full reply
    tls,                 ///< TLS handshake or certificate failure
    cancelled,           ///< the Downloader was closed or destroyed with the request pending
    other,               ///< anything else (malformed reply, bad content encoding, ...)
};

/// How many reasons there are (to size counters).
inline constexpr std::size_t download_error_reason_count = 10;

/// "dns", "connect", "timeout", ...: the reason's name, for stats keys and logs.
std::string_view to_string(DownloadErrorReason reason) noexcept;

/// A download that produced no response: the Failure in the Deferred of `Downloader::fetch`.
/// `what()` reads `download failed (timeout): <detail> <url>`. Carries the request (shared, so
/// copying the exception is cheap) so that an errback or a retry middleware can reschedule it.
///
/// Cancelling the Deferred of a fetch gives the Deferred layer's `CancelledError` instead, as
/// every cancelled Deferred does (so `add_timeout` turns it into `TimeoutError`).
class DownloadError : public std::runtime_error {
public:
    /// `detail` is the transport's message (libcurl's error text); `curl_code` its CURLcode, 0
    /// if none.
    DownloadError(DownloadErrorReason reason, std::string_view detail, std::string_view url,
                  int curl_code = 0, std::shared_ptr<const Request> request = nullptr);

    DownloadErrorReason reason() const noexcept { return reason_; }
    /// The transport's own message, e.g. libcurl's "Failed to connect to ... Connection refused".
    const std::string& detail() const noexcept { return detail_; }
    /// The URL that failed (the request's; for a failed redirect, the one it started from).
    const std::string& url() const noexcept { return url_; }
    /// The libcurl CURLcode, or 0.
    int curl_code() const noexcept { return curl_code_; }
    /// The request that failed, or nullptr when the error was made without one.
    const Request* request() const noexcept { return request_.get(); }
    /// The request that failed, shared, or nullptr.
    const std::shared_ptr<const Request>& shared_request() const noexcept { return request_; }

private:
    DownloadErrorReason reason_;
    std::string detail_, url_;
    int curl_code_;
    std::shared_ptr<const Request> request_;
};

}  // namespace interloop::spider
