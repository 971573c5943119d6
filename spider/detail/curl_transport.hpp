#pragma once
// CurlTransport: libcurl's multi_socket API driven by a Reactor's fd watches and one timer.

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "reactor/reactor.hpp"
#include "spider/detail/curl_easy.hpp"
#include "spider/downloader.hpp"

namespace interloop::spider::detail {

/// The Downloader's libcurl transport (see the Downloader's notes). How it keeps libcurl's
/// multi_socket contract (DESIGN.md "Known pitfalls"):
///
/// * Sockets are opened and closed here (CURLOPT_OPENSOCKETFUNCTION/CLOSESOCKETFUNCTION): the
///   watch is closed before the fd, so the reactor never watches a closed or reused fd, and a
///   late or missing CURL_POLL_REMOVE does not matter. Sockets libcurl makes itself (the
///   threaded resolver's socketpair) are watched from the socket callback until REMOVE.
/// * Watches are persistent; POLL_REMOVE on a connection kept alive pauses its watch
///   (`Interest::none`) instead of closing it, so reuse allocates nothing.
/// * The timer is one DelayedCall; a 0 ms request is a `call_soon` (never inline, never a zero
///   timer), ignored if libcurl changed the timer since.
/// * libcurl is called only from reactor callbacks and from the Downloader (start, abort),
///   never from inside its own callbacks; finished transfers are read after every
///   `curl_multi_socket_action`, their fields copied before the handle is removed.
/// * A report to the Downloader may destroy it and this transport: the read loop checks a
///   stack guard after each report.
class CurlTransport final : public Transport {
public:
    CurlTransport(Reactor& reactor, const DownloaderSettings& settings);
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;
    /// Closes every connection and frees the handles. Transfers still running are dropped
    /// unreported (the Downloader aborts them before).
    ~CurlTransport() override;

    void start(Transfer& transfer) override;
    void abort(Transfer& transfer) noexcept override;

private:
    struct Socket {
        Watch watch;
        bool ours = false;  // opened by on_open_socket
    };
    // Marks the frames of drive() still on the stack when the transport is destroyed.
    struct Guard {
        explicit Guard(CurlTransport& owner) : owner(owner), outer(owner.guards_) {
            owner.guards_ = this;
        }
        ~Guard() {
            if (!destroyed) owner.guards_ = outer;
        }
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        CurlTransport& owner;
        Guard* outer;
        bool destroyed = false;
    };

    static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
    static int on_timer(CURLM* multi, long timeout_ms, void* self);
    static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
    static int on_close_socket(void* self, curl_socket_t fd);

    void update_socket(int fd, int what);
    void set_timer(long timeout_ms);
    void drive(curl_socket_t fd, int events);
    Socket& socket_at(int fd);
    EasyHandle* acquire_easy();
    void release_easy(EasyHandle* easy) noexcept;

    Reactor& reactor_;
    DownloaderSettings settings_;
    CURLM* multi_ = nullptr;
    std::vector<Socket> sockets_;  // by fd
    std::vector<std::unique_ptr<EasyHandle>> idle_;
    DelayedCall timer_;
    std::uint64_t timer_generation_ = 0;
    // What a queued call_soon holds: nulled when the transport goes.
    std::shared_ptr<CurlTransport*> self_;
    Guard* guards_ = nullptr;
    bool closing_ = false;
};

}  // namespace interloop::spider::detail
