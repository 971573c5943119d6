#pragma once
// Downloader: per-domain slots (concurrency, delay, FIFO queues) in front of a transport, by
// default libcurl's multi_socket API driven by the reactor's fd watches and timers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"
#include "spider/download_error.hpp"
#include "spider/request.hpp"
#include "spider/response.hpp"

namespace interloop::spider {

/// The downloader's settings, named after Scrapy's.
struct DownloaderSettings {
    /// CONCURRENT_REQUESTS: transfers in progress at once, over all domains.
    std::size_t concurrent_requests = 16;
    /// CONCURRENT_REQUESTS_PER_DOMAIN: transfers in progress at once per host. Also libcurl's
    /// CURLMOPT_MAX_HOST_CONNECTIONS, so curl never opens more connections to one host.
    std::size_t concurrent_requests_per_domain = 8;
    /// DOWNLOAD_DELAY: the least time between two transfer starts on one host (then at most
    /// one transfer starts per delay, whatever the concurrency: Scrapy's rule).
    Duration download_delay{0.0};
    /// RANDOMIZE_DOWNLOAD_DELAY: wait 0.5 to 1.5 times the delay, drawn per start.
    bool randomize_download_delay = true;
    /// DOWNLOAD_TIMEOUT: the whole transfer (resolving, connecting, redirects, body); 0 = none.
    Duration download_timeout{180.0};
    /// DOWNLOAD_MAXSIZE: the largest decoded body accepted, in bytes; 0 = no limit. A larger
    /// announced Content-Length fails at once, a larger received body as soon as it exceeds.
    std::size_t download_maxsize = std::size_t(1) << 30;
    /// REDIRECT_ENABLED: follow 3xx redirects (else a 3xx is returned as the response).
    bool redirect_enabled = true;
    /// REDIRECT_MAX_TIMES: more redirects than this fail with `too_many_redirects`.
    int redirect_max_times = 20;
    /// USER_AGENT, sent unless the request has its own User-Agent header.
    std::string user_agent = "interloop-spider/0.1";
    /// COMPRESSION_ENABLED: ask for gzip, deflate, br and zstd, and decode the body.
    bool compression = true;
    /// Offer HTTP/2 to https servers (ALPN); http stays HTTP/1.1.
    bool http2 = true;
    /// Verify TLS certificates and host names (unlike Scrapy's default, which does not).
    bool tls_verify = true;
    /// Seed of the delay randomization (tests make it reproducible).
    std::uint32_t random_seed = 5489u;
};

/// What the downloader counted, for the engine's stats (`downloader/...` in Scrapy).
struct DownloaderStats {
    /// fetch() calls.
    std::uint64_t requests = 0;
    /// Responses produced (any status).
    std::uint64_t responses = 0;
    /// Responses by HTTP status.
    std::map<int, std::uint64_t> responses_by_status;
    /// Decoded body bytes of all responses.
    std::uint64_t response_bytes = 0;
    /// Failures by reason (index: DownloadErrorReason). `cancelled` also counts fetches whose
    /// Deferred was cancelled.
    std::array<std::uint64_t, download_error_reason_count> errors_by_reason{};

    /// Failures of the given reason.
    std::uint64_t errors(DownloadErrorReason reason) const noexcept {
        return errors_by_reason[static_cast<std::size_t>(reason)];
    }
    /// Failures of any reason.
    std::uint64_t errors() const noexcept;
};

namespace detail {
struct Slot;
class TransferList;
}  // namespace detail

/// One fetch, from `Downloader::fetch` to its result: what a Transport works on. Owned by the
/// Downloader; a transport may keep a pointer from `start` until it reports the end or is told
/// to `abort`.
class Transfer {
public:
    /// The request to download.
    const Request& request() const noexcept { return response_->request; }
    /// The response being filled in: the transport sets status, headers, body (appending as
    /// data arrives), url (after redirects), protocol and redirects; `request` is set already.
    Response& response() noexcept { return *response_; }
    /// Free for the transport's own per-transfer state.
    void* transport_data = nullptr;

private:
    friend class Downloader;
    friend class detail::TransferList;
    std::optional<Response> response_;
    std::optional<Deferred<Response>> deferred_;
    detail::Slot* slot_ = nullptr;
    Transfer* prev_ = nullptr;
    Transfer* next_ = nullptr;
    bool active_ = false;
};

/// How transfers are carried out: libcurl for real (the default), a fake in tests of the
/// slot scheduling on the `Clock`. Called on the reactor's thread only.
class Transport {
public:
    /// Where a transport reports the end of each transfer it started (the Downloader).
    class Sink {
    public:
        /// `transfer.response()` is complete.
        virtual void transfer_succeeded(Transfer& transfer) = 0;
        /// The transfer failed; `detail` explains it, `code` is the transport's error code.
        virtual void transfer_failed(Transfer& transfer, DownloadErrorReason reason,
                                     std::string_view detail, int code) = 0;

    protected:
        ~Sink() = default;
    };

    virtual ~Transport() = default;
    /// Called once by the Downloader that owns this transport.
    void attach(Sink& sink) noexcept { sink_ = &sink; }

    /// Starts `transfer`. Later (never from inside this call) the transport reports its end to
    /// the sink exactly once, unless `abort` comes first. Throws if it cannot start at all.
    virtual void start(Transfer& transfer) = 0;
    /// Stops `transfer` at once; it is not reported. Never called from inside a report.
    virtual void abort(Transfer& transfer) noexcept = 0;

protected:
    /// The sink to report to. A report may run user code that destroys the Downloader and
    /// this transport: touch nothing of `this` after a report returns unless it is known alive.
    Sink& sink() noexcept { return *sink_; }

private:
    Sink* sink_ = nullptr;
};

/// Scrapy's downloader: `fetch(request)` gives a `Deferred<Response>` that fires with the
/// response (any HTTP status) or fails with a `DownloadError`.
///
/// * Requests are grouped in slots by host. A slot runs at most
///   `concurrent_requests_per_domain` transfers and starts them at least `download_delay`
///   apart; all slots together run at most `concurrent_requests`. Requests beyond those limits
///   wait in their slot's FIFO queue; slots waiting for the global limit are served
///   round-robin. Delays are measured on the given ReactorTime, so a `Clock` drives them in
///   tests. Idle slots are dropped (after their delay has passed).
/// * Cancelling a fetch's Deferred takes the request out of its queue or aborts its transfer
///   (libcurl: `curl_multi_remove_handle`, from the canceller, never inside a curl callback);
///   the Deferred fails with `CancelledError`.
/// * `close()` (also the destructor) fails everything pending with a `DownloadError` of reason
///   `cancelled`; later fetches fail the same way at once.
///
/// With the libcurl transport (the Reactor constructor): one multi handle whose sockets are
/// watched with `Reactor::watch` and whose timer is one DelayedCall (a 0 ms timer becomes a
/// `call_soon`), with no thread and no polling; sockets are opened and closed by the transport
/// (CURLOPT_OPENSOCKETFUNCTION/CLOSESOCKETFUNCTION) so a watch never outlives its fd; easy
/// handles are pooled and reused; connections are kept alive in the multi's cache; HTTP/2 is
/// offered over TLS; bodies are decoded (gzip, br, ...) and written straight into the
/// Response (reserved by Content-Length). Only http and https, also after redirects.
/// `curl_global_init` runs once per process, at the first such Downloader (thread-safe), and
/// `curl_global_cleanup` at process exit.
///
/// Single-threaded: use it on its reactor's thread. Destroy it on that thread too, before the
/// reactor.
class Downloader final : private Transport::Sink {
public:
    /// A downloader on libcurl, driven by `reactor`. Throws std::invalid_argument for a zero
    /// concurrency and std::runtime_error if libcurl cannot be set up.
    explicit Downloader(Reactor& reactor, DownloaderSettings settings = {});
    /// A downloader on any transport, timed by `time` (a `Clock` in tests).
    Downloader(ReactorTime& time, DownloaderSettings settings,
               std::unique_ptr<Transport> transport);
    Downloader(const Downloader&) = delete;
    Downloader& operator=(const Downloader&) = delete;
    /// `close()`, then frees the transport (libcurl handles, sockets).
    ~Downloader();

    /// Downloads `request`: fires with the Response, or fails with a DownloadError (or
    /// CancelledError when cancelled). Never fires inside this call.
    Deferred<Response> fetch(Request request);

    /// Fails every queued and running fetch with DownloadError(cancelled) and refuses new
    /// ones. Idempotent. The failures are delivered after the downloader has let go of them,
    /// so their errbacks may do anything (even destroy the downloader, if not called from the
    /// destructor).
    void close();
    /// True after close().
    bool closed() const noexcept { return closed_; }

    /// Fetches not finished yet: transferring plus queued (Scrapy's `len(downloader.active)`).
    std::size_t in_flight() const noexcept { return transferring_ + queued_; }
    /// Fetches being transferred now.
    std::size_t transferring() const noexcept { return transferring_; }
    /// Fetches waiting in slot queues.
    std::size_t queued() const noexcept { return queued_; }
    /// Slots alive (hosts with work, or whose delay has not passed since their last start).
    std::size_t slot_count() const noexcept { return slots_.size(); }

    const DownloaderSettings& settings() const noexcept { return settings_; }
    const DownloaderStats& stats() const noexcept { return stats_; }

private:
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };
    enum class Pump { all, one };

    void transfer_succeeded(Transfer& transfer) override;
    void transfer_failed(Transfer& transfer, DownloadErrorReason reason, std::string_view detail,
                         int code) override;

    detail::Slot& slot_for(std::string_view key);
    void pump(detail::Slot& slot, Pump how);
    void start(detail::Slot& slot, Transfer& transfer);
    void drain_ready();
    void mark_ready(detail::Slot& slot);
    void after_change(detail::Slot& slot);
    void wake(detail::Slot& slot);
    void cancel(Transfer& transfer);
    Deferred<Response> finish(Transfer& transfer);
    Transfer* acquire();
    void release(Transfer* transfer) noexcept;
    double next_delay();

    ReactorTime& time_;
    DownloaderSettings settings_;
    DownloaderStats stats_;
    std::unique_ptr<Transport> transport_;
    std::unordered_map<std::string, std::unique_ptr<detail::Slot>, KeyHash, std::equal_to<>> slots_;
    std::deque<detail::Slot*> ready_;  // slots held back only by the global limit, FIFO
    std::unique_ptr<detail::TransferList> running_;
    std::vector<std::unique_ptr<Transfer>> spare_;  // recycled Transfer objects
    std::size_t transferring_ = 0;
    std::size_t queued_ = 0;
    double delay_ = 0.0;
    std::minstd_rand random_;
    bool closed_ = false;
};

}  // namespace interloop::spider
