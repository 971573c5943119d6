// CurlTransport: the multi handle, its sockets on reactor watches, its timer, and the loop that
// reads finished transfers.

#include "spider/detail/curl_transport.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "reactor/log.hpp"

namespace interloop::spider::detail {

namespace {

constexpr std::string_view logger = "interloop.spider.downloader";

template <class Value>
void set_multi(CURLM* multi, CURLMoption option, Value value) {
    const CURLMcode rc = curl_multi_setopt(multi, option, value);
    if (rc != CURLM_OK)
        throw std::runtime_error(std::string("curl_multi_setopt: ") + curl_multi_strerror(rc));
}

}  // namespace

CurlTransport::CurlTransport(Reactor& reactor, const DownloaderSettings& settings)
    : reactor_(reactor), settings_(settings), self_(std::make_shared<CurlTransport*>(this)) {
    ensure_curl_global_init();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
    try {
        set_multi(multi_, CURLMOPT_SOCKETFUNCTION, &CurlTransport::on_socket);
        set_multi(multi_, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
        set_multi(multi_, CURLMOPT_TIMERFUNCTION, &CurlTransport::on_timer);
        set_multi(multi_, CURLMOPT_TIMERDATA, static_cast<void*>(this));
        // Never more connections to one host than transfers the slot runs at once; idle
        // connections beyond the limit are closed by libcurl to make room.
        set_multi(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                  static_cast<long>(settings.concurrent_requests_per_domain));
        // The keep-alive cache: room for every running transfer's connection, and then some.
        set_multi(multi_, CURLMOPT_MAXCONNECTS,
                  static_cast<long>(2 * settings.concurrent_requests + 8));
        set_multi(multi_, CURLMOPT_PIPELINING, long(CURLPIPE_MULTIPLEX));
    } catch (...) {
        curl_multi_cleanup(multi_);
        throw;
    }
}

CurlTransport::~CurlTransport() {
    for (Guard* guard = guards_; guard != nullptr; guard = guard->outer) guard->destroyed = true;
    *self_ = nullptr;
    if (timer_.active()) timer_.cancel();
    // libcurl closes its cached connections here, through on_close_socket (which must still
    // work); socket and timer notices are ignored from now on.
    closing_ = true;
    curl_multi_cleanup(multi_);
    idle_.clear();
    sockets_.clear();
}

void CurlTransport::start(Transfer& transfer) {
    EasyHandle* easy = acquire_easy();
    try {
        easy->prepare(transfer);
    } catch (...) {
        release_easy(easy);
        throw;
    }
    const CURLMcode rc = curl_multi_add_handle(multi_, easy->native());
    if (rc != CURLM_OK) {
        release_easy(easy);
        throw std::runtime_error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
    }
    transfer.transport_data = easy;
}

void CurlTransport::abort(Transfer& transfer) noexcept {
    auto* easy = static_cast<EasyHandle*>(transfer.transport_data);
    if (easy == nullptr) return;
    curl_multi_remove_handle(multi_, easy->native());
    transfer.transport_data = nullptr;
    release_easy(easy);
}

// Runs libcurl for `fd` (or its timeouts), then reports every finished transfer. Reports run
// user code, which may destroy this transport: after each one, `guard` says whether it did.
void CurlTransport::drive(curl_socket_t fd, int events) {
    Guard guard(*this);
    int running = 0;
    const CURLMcode rc = curl_multi_socket_action(multi_, fd, events, &running);
    if (rc != CURLM_OK)
        log::emit(log::Level::error, logger, "curl_multi_socket_action: {}",
                  curl_multi_strerror(rc));
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        // The message dies with the handle's removal: copy it first.
        CURL* native = message->easy_handle;
        const CURLcode result = message->data.result;
        EasyHandle* easy = EasyHandle::from(native);
        Transfer& transfer = *easy->transfer();
        curl_multi_remove_handle(multi_, native);
        transfer.transport_data = nullptr;
        if (result == CURLE_OK) {
            easy->complete();
            release_easy(easy);
            sink().transfer_succeeded(transfer);
        } else {
            const DownloadErrorReason reason = easy->reason(result);
            const std::string detail = easy->message(result);
            release_easy(easy);
            sink().transfer_failed(transfer, reason, detail, static_cast<int>(result));
        }
        if (guard.destroyed) return;
    }
}

int CurlTransport::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
    auto& transport = *static_cast<CurlTransport*>(self);
    if (transport.closing_) return 0;
    try {
        transport.update_socket(fd, what);
    } catch (const std::exception& error) {
        log::emit(log::Level::error, logger, "cannot watch socket {}: {}", fd, error.what());
    }
    return 0;
}

void CurlTransport::update_socket(int fd, int what) {
    Socket& socket = socket_at(fd);
    if (what == CURL_POLL_REMOVE) {
        if (!socket.ours)
            socket = Socket{};  // libcurl's own socket: done with it
        else if (socket.watch)
            socket.watch.set_interest(Interest::none);  // a kept-alive connection: pause
        return;
    }
    Interest interest = Interest::none;
    if (what & CURL_POLL_IN) interest = interest | Interest::readable;
    if (what & CURL_POLL_OUT) interest = interest | Interest::writable;
    if (socket.watch) {
        socket.watch.set_interest(interest);
        return;
    }
    socket.watch = reactor_.watch(fd, interest, [this, fd](Interest ready) {
        int events = 0;
        if (any(ready & Interest::readable)) events |= CURL_CSELECT_IN;
        if (any(ready & Interest::writable)) events |= CURL_CSELECT_OUT;
        drive(fd, events);
    });
}

int CurlTransport::on_timer(CURLM*, long timeout_ms, void* self) {
    auto& transport = *static_cast<CurlTransport*>(self);
    if (transport.closing_) return 0;
    try {
        transport.set_timer(timeout_ms);
    } catch (const std::exception& error) {
        log::emit(log::Level::error, logger, "cannot set the libcurl timer: {}", error.what());
        return -1;
    }
    return 0;
}

void CurlTransport::set_timer(long timeout_ms) {
    const std::uint64_t generation = ++timer_generation_;
    if (timeout_ms < 0) {
        if (timer_.active()) timer_.cancel();
    } else if (timeout_ms == 0) {
        // "Soon", not inline (libcurl forbids it) and not a zero timer (it costs a timer round
        // trip). Dropped if the transport is gone or libcurl re-set its timer meanwhile.
        if (timer_.active()) timer_.cancel();
        reactor_.call_soon([token = std::weak_ptr<CurlTransport*>(self_), generation] {
            auto self = token.lock();
            if (!self || *self == nullptr) return;
            CurlTransport& transport = **self;
            if (transport.timer_generation_ == generation) transport.drive(CURL_SOCKET_TIMEOUT, 0);
        });
    } else {
        const auto delay = std::chrono::milliseconds(timeout_ms);
        if (timer_.active())
            timer_.reset(delay);
        else
            timer_ = reactor_.call_later(delay, [this] { drive(CURL_SOCKET_TIMEOUT, 0); });
    }
}

curl_socket_t CurlTransport::on_open_socket(void* self, curlsocktype purpose,
                                            curl_sockaddr* address) {
    auto& transport = *static_cast<CurlTransport*>(self);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    try {
        Socket& socket = transport.socket_at(fd);
        socket = Socket{};  // a stale watch of libcurl's own socket on a reused fd number
        socket.ours = true;
    } catch (...) {
        ::close(fd);
        return CURL_SOCKET_BAD;
    }
    return fd;
}

int CurlTransport::on_close_socket(void* self, curl_socket_t fd) {
    auto& transport = *static_cast<CurlTransport*>(self);
    // The watch goes first, so the reactor never holds a closed (or reused) fd.
    if (fd >= 0 && static_cast<std::size_t>(fd) < transport.sockets_.size())
        transport.sockets_[static_cast<std::size_t>(fd)] = Socket{};
    return ::close(fd);
}

CurlTransport::Socket& CurlTransport::socket_at(int fd) {
    if (fd < 0) throw std::invalid_argument("negative fd");
    const auto index = static_cast<std::size_t>(fd);
    if (index >= sockets_.size()) sockets_.resize(std::max(index + 1, 2 * sockets_.size()));
    return sockets_[index];
}

EasyHandle* CurlTransport::acquire_easy() {
    if (idle_.empty()) {
        const SocketCallbacks callbacks{&CurlTransport::on_open_socket,
                                        &CurlTransport::on_close_socket, this};
        return new EasyHandle(settings_, callbacks);
    }
    EasyHandle* easy = idle_.back().release();
    idle_.pop_back();
    return easy;
}

void CurlTransport::release_easy(EasyHandle* easy) noexcept {
    easy->reset();
    try {
        idle_.emplace_back(easy);
    } catch (...) {
        delete easy;
    }
}

}  // namespace interloop::spider::detail
