#pragma once
// EasyHandle: one pooled libcurl easy handle, with the callbacks that write a transfer's
// headers and body straight into its Response.

#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "spider/downloader.hpp"

namespace interloop::spider::detail {

/// Calls `curl_global_init` once per process (thread-safe, at the first call) and arranges
/// `curl_global_cleanup` at process exit. Throws std::runtime_error if libcurl fails.
void ensure_curl_global_init();

/// The DownloadErrorReason of a libcurl result code (CURLE_OK maps to `other`).
DownloadErrorReason reason_for_curl_code(int code) noexcept;

/// The libcurl callbacks a transport gives every easy handle, with their user pointer.
struct SocketCallbacks {
    curl_opensocket_callback open;
    curl_closesocket_callback close;
    void* owner;
};

/// A libcurl easy handle configured once from the settings (callbacks, protocols, redirects,
/// compression, HTTP/2, timeout, user agent, TLS checks) and reused for transfer after
/// transfer: `prepare` sets what depends on the request, the callbacks fill the Transfer's
/// Response, `complete` adds what libcurl knows at the end.
class EasyHandle {
public:
    /// Throws std::runtime_error if libcurl cannot make a handle.
    EasyHandle(const DownloaderSettings& settings, const SocketCallbacks& sockets);
    EasyHandle(const EasyHandle&) = delete;
    EasyHandle& operator=(const EasyHandle&) = delete;
    ~EasyHandle();

    CURL* native() const noexcept { return handle_; }
    /// The transfer in progress (set by `prepare`), or nullptr.
    Transfer* transfer() const noexcept { return transfer_; }
    /// The EasyHandle owning a libcurl handle (from CURLOPT_PRIVATE).
    static EasyHandle* from(CURL* handle) noexcept;

    /// Sets URL, method, headers and body for `transfer`. Throws std::bad_alloc.
    void prepare(Transfer& transfer);
    /// After CURLE_OK: status, final URL, protocol and redirect count into the Response.
    void complete();
    /// After a failure: why, and libcurl's message.
    DownloadErrorReason reason(CURLcode code) const noexcept;
    std::string message(CURLcode code) const;
    /// Forgets the transfer (frees the request's header list), ready for the next one.
    void reset() noexcept;

private:
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
    bool header_line(std::string_view line);

    CURL* handle_ = nullptr;
    Transfer* transfer_ = nullptr;
    curl_slist* request_headers_ = nullptr;
    std::size_t maxsize_ = 0;
    int status_ = 0;  // of the response whose headers are arriving
    bool too_large_ = false;
    bool out_of_memory_ = false;
    char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace interloop::spider::detail
