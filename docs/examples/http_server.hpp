#pragma once
// HttpServer: a small local HTTP server for the examples and tests, written as Boost.Beast
// coroutines on an io_context. It listens on 127.0.0.1 with a port chosen by the kernel, so
// tests need neither the internet nor a fixed port.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace interloop::examples {

/// Serves a few fixed paths on 127.0.0.1 (any HTTP/1.x client, keep-alive or not):
///
/// * `/`     → 200 with `HttpServer::home_page`;
/// * `/slow` → 200 with "slow reply", sent `slow_delay` after the request (for cancellation);
/// * anything else → 404 with "not found: <path>".
///
/// It runs on the io_context of `executor`, which must be run by one thread. Construct it
/// before that thread runs the io_context or on that thread; `stop()` may be called from any
/// thread; destroy the server before the io_context. A client that goes away is normal for a
/// server (its connection is dropped); an unexpected exception escapes `io_context::run()`.
class HttpServer {
public:
    /// The body of `/`.
    static constexpr std::string_view home_page =
        "<html><body><h1>interloop</h1><p>Hello from the local test server.</p></body></html>\n";

    /// Listens on 127.0.0.1:0 at once (so `port()` is known) and starts accepting on
    /// `executor`. Throws boost::system::system_error if the socket cannot be opened.
    explicit HttpServer(boost::asio::any_io_executor executor,
                        std::chrono::milliseconds slow_delay = std::chrono::seconds(5))
        : state_(std::make_shared<State>(executor, slow_delay)) {
        namespace ip = boost::asio::ip;
        ip::tcp::endpoint endpoint(ip::make_address("127.0.0.1"), 0);
        state_->acceptor.open(endpoint.protocol());
        state_->acceptor.bind(endpoint);
        state_->acceptor.listen();
        port_ = state_->acceptor.local_endpoint().port();
        boost::asio::co_spawn(executor, accept_loop(state_), rethrow);
    }
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    ~HttpServer() { stop(); }

    /// The port the server listens on.
    unsigned short port() const noexcept { return port_; }
    /// The port as a string, as a resolver wants it.
    std::string port_string() const { return std::to_string(port_); }
    /// `http://127.0.0.1:<port><target>`.
    std::string url(std::string_view target = "/") const {
        return "http://127.0.0.1:" + port_string() + std::string(target);
    }

    /// Closes the listening socket and every open connection (a pending `/slow` reply is
    /// dropped), so the server leaves no work on the io_context. Idempotent.
    void stop() {
        boost::asio::post(state_->acceptor.get_executor(), [state = state_] {
            state->stopped = true;
            boost::system::error_code ignored;
            state->acceptor.close(ignored);
            for (Connection* c : state->connections) {
                c->delay.cancel();
                c->stream.close();
            }
        });
    }

private:
    /// One client connection; registered in `State::connections` while it is served.
    struct Connection {
        boost::beast::tcp_stream stream;
        boost::asio::steady_timer delay;
    };

    /// Shared by the server object and its coroutines (which may outlive the object).
    /// Touched only on the io_context's thread once the constructor has returned.
    struct State {
        State(boost::asio::any_io_executor executor, std::chrono::milliseconds delay)
            : acceptor(executor), slow_delay(delay) {}
        boost::asio::ip::tcp::acceptor acceptor;
        std::chrono::milliseconds slow_delay;
        std::set<Connection*> connections;
        bool stopped = false;
    };

    using Request = boost::beast::http::request<boost::beast::http::string_body>;
    using Response = boost::beast::http::response<boost::beast::http::string_body>;

    /// Completion of every server coroutine: errors are handled inside them, so anything
    /// arriving here is unexpected and is rethrown out of `io_context::run()`.
    static void rethrow(std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
    }

    /// The reply to `request`, by its target (see the class notes).
    static Response respond_to(const Request& request) {
        namespace http = boost::beast::http;
        Response response;
        response.version(request.version());
        response.keep_alive(request.keep_alive());
        response.set(http::field::content_type, "text/html");
        if (request.target() == "/") {
            response.result(http::status::ok);
            response.body() = home_page;
        } else if (request.target() == "/slow") {
            response.result(http::status::ok);
            response.body() = "slow reply";
        } else {
            response.result(http::status::not_found);
            response.body() = "not found: " + std::string(request.target());
        }
        response.prepare_payload();
        return response;
    }

    /// Accepts connections until stop(), serving each one in a coroutine of its own.
    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        while (!state->stopped) {
            auto [error, socket] = co_await state->acceptor.async_accept(as_tuple(use_awaitable));
            if (state->stopped) break;
            if (error) continue;  // e.g. the client reset the connection before we accepted it
            boost::asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)),
                                  rethrow);
        }
    }

    /// Serves one connection until the client closes it, asks to close it, or stop().
    static boost::asio::awaitable<void> serve(std::shared_ptr<State> state,
                                              boost::asio::ip::tcp::socket socket) {
        namespace http = boost::beast::http;
        using boost::asio::as_tuple;
        using boost::asio::use_awaitable;
        auto executor = socket.get_executor();
        Connection connection{boost::beast::tcp_stream(std::move(socket)),
                              boost::asio::steady_timer(executor)};
        struct Registration {
            State& state;
            Connection& connection;
            Registration(State& s, Connection& c) : state(s), connection(c) {
                state.connections.insert(&connection);
            }
            ~Registration() { state.connections.erase(&connection); }
        } registration(*state, connection);

        boost::beast::flat_buffer buffer;
        while (!state->stopped) {
            Request request;
            auto [read_error, read_bytes] = co_await http::async_read(
                connection.stream, buffer, request, as_tuple(use_awaitable));
            if (read_error) co_return;  // end of stream, a reset, or stop()
            if (request.target() == "/slow") {
                connection.delay.expires_after(state->slow_delay);
                auto [wait_error] = co_await connection.delay.async_wait(as_tuple(use_awaitable));
                if (wait_error) co_return;  // stop()
            }
            Response response = respond_to(request);
            auto [write_error, written_bytes] =
                co_await http::async_write(connection.stream, response, as_tuple(use_awaitable));
            if (write_error || !response.keep_alive()) break;
        }
        boost::system::error_code ignored;
        connection.stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    }

    std::shared_ptr<State> state_;
    unsigned short port_ = 0;
};

}  // namespace interloop::examples
