#pragma once
// http_get: a Deferred-returning HTTP client on the libevent reactor, built on libevent's own
// evhttp client — third-party code of the callback world, wrapped the Twisted way. An Asio
// coroutine awaits it with `co_await as_future(reactor, [&] { return http_get(reactor, url); })`.

#include <event2/buffer.h>
#include <event2/http.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "bridge/errors.hpp"
#include "docs/examples/http_reply.hpp"
#include "reactor/deferred.hpp"
#include "reactor/libevent_reactor.hpp"
#include "reactor/reactor_gate.hpp"

namespace interloop::examples {

/// A request that got no HTTP response. (A reply with an error status, such as 404, is a
/// reply: it fires the Deferred's callback, not its errback.)
class HttpClientError : public std::runtime_error {
public:
    /// What went wrong, for callers that want to branch on it.
    enum class Reason {
        bad_url,      ///< not an `http://host[:port]/...` URL
        connect,      ///< the connection could not be made (refused, unreachable, …)
        timeout,      ///< evhttp's own connection timeout elapsed
        closed,       ///< the connection was closed or failed before a complete reply
        bad_response  ///< the reply was malformed, or too long
    };

    HttpClientError(Reason reason, const std::string& what)
        : std::runtime_error(what), reason_(reason) {}
    Reason reason() const noexcept { return reason_; }

private:
    Reason reason_;
};

namespace detail {

/// Frees an evhttp_connection when destroyed.
struct ConnectionFree {
    void operator()(evhttp_connection* connection) const noexcept {
        evhttp_connection_free(connection);
    }
};
using ConnectionPtr = std::unique_ptr<evhttp_connection, ConnectionFree>;

/// Frees a parsed URI when destroyed.
struct UriFree {
    void operator()(evhttp_uri* uri) const noexcept { evhttp_uri_free(uri); }
};

/// One http_get in flight, on the reactor's thread. Owns itself (`self_`) while libevent may
/// still call it back; the Deferred's canceller and the reactor's close hook hold it weakly.
/// It settles exactly once, by whichever comes first: libevent's completion callback,
/// cancellation of the Deferred, or destruction of the reactor.
class EvhttpFetch : public std::enable_shared_from_this<EvhttpFetch> {
public:
    EvhttpFetch(LibeventReactor& reactor, std::string url)
        : reactor_(reactor), gate_(reactor.gate()), url_(std::move(url)) {}
    EvhttpFetch(const EvhttpFetch&) = delete;
    EvhttpFetch& operator=(const EvhttpFetch&) = delete;

    /// Creates the connection and the request and hands them to libevent.
    Deferred<HttpReply> start(const char* host, int port, const std::string& target) {
        using Reason = HttpClientError::Reason;
        connection_.reset(evhttp_connection_base_new(reactor_.native_handle(), nullptr, host,
                                                     static_cast<ev_uint16_t>(port)));
        evhttp_request* request =
            connection_ ? evhttp_request_new(&EvhttpFetch::on_done, this) : nullptr;
        if (!request) return fail<HttpReply>(error(Reason::connect, "could not create request"));
        evhttp_request_set_error_cb(request, &EvhttpFetch::on_error);
        evkeyvalq* headers = evhttp_request_get_output_headers(request);
        evhttp_add_header(headers, "Host",
                          (std::string(host) + ":" + std::to_string(port)).c_str());
        evhttp_add_header(headers, "Connection", "close");

        Deferred<HttpReply> result([weak = weak_from_this()](Deferred<HttpReply>&) {
            if (auto self = weak.lock()) self->cancel();
        });
        deferred_ = result;
        self_ = shared_from_this();
        close_hook_ = gate_->add_close_hook([weak = weak_from_this()] {
            if (auto self = weak.lock()) self->close();
        });
        request_ = request;
        // The connection takes the request. A connection that fails at once calls on_done
        // from inside this call; a request libevent cannot queue it frees without calling us.
        if (evhttp_make_request(connection_.get(), request, EVHTTP_REQ_GET, target.c_str()) != 0 &&
            request_) {
            request_ = nullptr;
            settle(error(Reason::connect, "could not start the request"));
        }
        return result;
    }

private:
    /// libevent: the request completed (with a response, or with none: `request` is null or
    /// has no status). libevent frees the request after we return.
    static void on_done(evhttp_request* request, void* arg) {
        auto& self = *static_cast<EvhttpFetch*>(arg);
        self.request_ = nullptr;
        const int status = request ? evhttp_request_get_response_code(request) : 0;
        if (status == 0) {
            self.settle(self.no_response_error());
            return;
        }
        evbuffer* input = evhttp_request_get_input_buffer(request);
        std::string body(evbuffer_get_length(input), '\0');
        evbuffer_copyout(input, body.data(), body.size());
        self.settle(HttpReply{status, std::move(body)});
    }

    /// libevent: why the request is failing; on_done follows (except for a cancellation).
    static void on_error(evhttp_request_error error, void* arg) {
        static_cast<EvhttpFetch*>(arg)->error_ = error;
    }

    /// The Deferred was cancelled: cancel the request (libevent calls on_done no more and
    /// frees it) and close the connection; the Deferred then fails with CancelledError.
    void cancel() {
        if (!request_) return;
        auto keep = std::move(self_);
        gate_->remove_close_hook(close_hook_);
        evhttp_cancel_request(std::exchange(request_, nullptr));
        connection_.reset();  // we are not inside one of its callbacks: free it now
        deferred_.reset();
    }

    /// The reactor is being destroyed (its event_base still exists): stop everything, and
    /// fail the Deferred with LoopClosedError.
    void close() {
        auto keep = std::move(self_);
        if (request_) evhttp_cancel_request(std::exchange(request_, nullptr));
        connection_.reset();
        if (deferred_) {
            Deferred<HttpReply> d = std::move(*deferred_);
            deferred_.reset();
            d.errback(std::make_exception_ptr(
                LoopClosedError("http_get " + url_ + ": the reactor was destroyed")));
        }
    }

    /// Fires the Deferred with the result of a finished request (from on_done, or from
    /// start()). libevent may still be using the connection: it is freed on the next turn
    /// of the loop (or when the reactor releases that call unrun, while its base exists).
    template <class Result>
    void settle(Result result) {
        auto keep = std::move(self_);  // may be the last owner: we die when this returns
        gate_->remove_close_hook(close_hook_);
        reactor_.call_soon([connection = std::move(connection_)] {});
        if (!deferred_) return;
        Deferred<HttpReply> d = std::move(*deferred_);
        deferred_.reset();
        if constexpr (std::is_same_v<Result, HttpReply>)
            d.callback(std::move(result));
        else
            d.errback(std::make_exception_ptr(std::move(result)));
    }

    HttpClientError no_response_error() const {
        using Reason = HttpClientError::Reason;
        switch (error_.value_or(EVREQ_HTTP_REQUEST_CANCEL)) {
            case EVREQ_HTTP_TIMEOUT:
                return error(Reason::timeout, "timed out");
            case EVREQ_HTTP_EOF:
                return error(Reason::closed, "connection closed before a complete response");
            case EVREQ_HTTP_INVALID_HEADER:
            case EVREQ_HTTP_DATA_TOO_LONG:
                return error(Reason::bad_response, "malformed or oversized response");
            case EVREQ_HTTP_BUFFER_ERROR:
                return error(Reason::closed, "read or write error");
            default:
                // libevent reports a failed connection attempt by calling on_done with a
                // request that has no status, and no error callback.
                return error(Reason::connect, "could not connect");
        }
    }

    HttpClientError error(HttpClientError::Reason reason, const std::string& what) const {
        return HttpClientError(reason, "http_get " + url_ + ": " + what);
    }

    LibeventReactor& reactor_;
    std::shared_ptr<ReactorGate> gate_;
    std::string url_;
    ConnectionPtr connection_;
    evhttp_request* request_ = nullptr;  // ours to cancel until libevent completes it
    std::optional<evhttp_request_error> error_;
    std::optional<Deferred<HttpReply>> deferred_;  // the producer's handle, until settled
    std::shared_ptr<EvhttpFetch> self_;
    ReactorGate::HookId close_hook_ = 0;
};

}  // namespace detail

/// GETs `url` (`http://host[:port]/path[?query]`) with libevent's evhttp client on `reactor`'s
/// event_base, over a new connection, and returns a Deferred of the status and body.
///
/// * Call it on the reactor's thread; the Deferred fires there.
/// * Any complete response fires the callback (a 404 too). A request that got no response
///   fails with `HttpClientError` (its `reason()` says why); a bad URL fails at once.
/// * Cancelling the Deferred cancels the request (`evhttp_cancel_request`) and closes the
///   connection: libevent calls back no more, and the Deferred fails with CancelledError.
///   Timeouts are the caller's: `add_timeout(reactor, d, 5s)`, or `||` with a timer on the
///   Asio side (which cancels through as_future).
/// * If the reactor is destroyed first, the request is cancelled and the Deferred fails with
///   `LoopClosedError`.
/// * Host names are resolved by libevent without an evdns_base, which blocks the loop: use
///   numeric addresses (as the examples do) where that matters.
inline Deferred<HttpReply> http_get(LibeventReactor& reactor, std::string url) {
    using Reason = HttpClientError::Reason;
    std::unique_ptr<evhttp_uri, detail::UriFree> uri(evhttp_uri_parse(url.c_str()));
    const char* scheme = uri ? evhttp_uri_get_scheme(uri.get()) : nullptr;
    const char* host = uri ? evhttp_uri_get_host(uri.get()) : nullptr;
    if (!scheme || std::string(scheme) != "http" || !host || !*host)
        return fail<HttpReply>(HttpClientError(Reason::bad_url, "http_get: bad URL: " + url));
    const int port = evhttp_uri_get_port(uri.get()) > 0 ? evhttp_uri_get_port(uri.get()) : 80;
    const char* path = evhttp_uri_get_path(uri.get());
    const char* query = evhttp_uri_get_query(uri.get());
    std::string target = path && *path ? path : "/";
    if (query) target += std::string("?") + query;

    auto fetch = std::make_shared<detail::EvhttpFetch>(reactor, std::move(url));
    return fetch->start(host, port, target);
}

}  // namespace interloop::examples
