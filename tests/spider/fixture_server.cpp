// FixtureServer: Boost.Beast coroutines on an io_context of its own thread.

#include "tests/spider/fixture_server.hpp"

#include <zlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
// Beast's parser trips g++ 12's -Wmaybe-uninitialized on a boost::optional in sanitizer builds
// (a false positive inside Boost).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace interloop::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto awaitable = asio::as_tuple(asio::use_awaitable);

// The value of `name` in the query of `target` (percent-decoded), or "".
std::string query_value(std::string_view target, std::string_view name) {
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        std::string_view field = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (!field.starts_with(name) || field.substr(name.size(), 1) != "=") continue;
        std::string_view raw = field.substr(name.size() + 1);
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '%' && i + 2 < raw.size()) {
                int byte = 0;
                std::from_chars(raw.data() + i + 1, raw.data() + i + 3, byte, 16);
                out += char(byte);
                i += 2;
            } else {
                out += raw[i];
            }
        }
        return out;
    }
    return {};
}

std::size_t number(std::string_view target, std::string_view name, std::size_t fallback) {
    const std::string value = query_value(target, name);
    std::size_t n = fallback;
    if (!value.empty()) std::from_chars(value.data(), value.data() + value.size(), n);
    return n;
}

std::string gzip(std::string_view text) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

void raise_max(std::atomic<std::size_t>& max, std::size_t value) {
    std::size_t seen = max.load();
    while (value > seen && !max.compare_exchange_weak(seen, value)) {
    }
}

}  // namespace

struct FixtureServer::Impl : std::enable_shared_from_this<Impl> {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    unsigned short port = 0;
    bool stopped = false;  // io thread only
    std::set<tcp::socket*> sockets;
    std::set<asio::steady_timer*> timers;

    std::atomic<std::size_t> connections{0}, open{0}, max_open{0};
    std::atomic<std::size_t> requests{0}, active{0}, max_active{0};
    mutable std::mutex mutex;
    std::vector<SeenRequest> seen;

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        while (!stopped) {
            auto [error, socket] = co_await acceptor.async_accept(awaitable);
            if (stopped) break;
            if (error) continue;
            asio::co_spawn(io, serve(std::move(socket)), [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        auto self = shared_from_this();
        ++connections;
        raise_max(max_open, ++open);
        asio::steady_timer timer(io);
        sockets.insert(&socket);
        timers.insert(&timer);
        boost::beast::flat_buffer buffer;
        while (!stopped) {
            http::request<http::string_body> request;
            auto [read_error, n] = co_await http::async_read(socket, buffer, request, awaitable);
            if (read_error) break;
            ++requests;
            raise_max(max_active, ++active);
            {
                std::lock_guard lock(mutex);
                seen.push_back({std::string(request.method_string()), std::string(request.target()),
                                std::string(request[http::field::user_agent]),
                                std::string(request[http::field::accept_encoding]),
                                request.body()});
            }
            const bool keep = co_await reply(socket, timer, request);
            --active;
            if (!keep) break;
        }
        sockets.erase(&socket);
        timers.erase(&timer);
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        --open;
    }

    // Replies to `request`; false when the connection must end.
    asio::awaitable<bool> reply(tcp::socket& socket, asio::steady_timer& timer,
                                const http::request<http::string_body>& request) {
        const std::string target(request.target());
        const std::string path = target.substr(0, target.find('?'));
        http::response<http::string_body> response(http::status::ok, request.version());
        response.keep_alive(request.keep_alive());
        response.set(http::field::content_type, "text/plain");
        if (path == "/slow" || path == "/hang") {
            timer.expires_after(path == "/hang"
                                    ? std::chrono::milliseconds(3600 * 1000)
                                    : std::chrono::milliseconds(number(target, "ms", 100)));
            auto [wait_error] = co_await timer.async_wait(awaitable);
            if (wait_error || stopped) co_return false;
            response.body() = "slow";
        } else if (path == "/bytes") {
            response.body().assign(number(target, "n", 0), 'x');
        } else if (path == "/chunked") {
            co_return co_await send_chunked(
                socket, number(target, "n", 0),
                std::max<std::size_t>(1, number(target, "chunk", 1024)));
        } else if (path == "/redirect") {
            const std::size_t left = number(target, "n", 0);
            if (left == 0) {
                response.body() = "landed";
            } else {
                response.result(http::status::found);
                response.set(http::field::location, "/redirect?n=" + std::to_string(left - 1));
            }
        } else if (path == "/redirect-to") {
            response.result(http::status::found);
            response.set(http::field::location, query_value(target, "location"));
        } else if (path == "/gzip") {
            response.body() = gzip_text();
            if (request[http::field::accept_encoding].find("gzip") != std::string_view::npos) {
                response.body() = gzip(response.body());
                response.set(http::field::content_encoding, "gzip");
            }
        } else if (path == "/status") {
            const auto code = static_cast<unsigned>(number(target, "code", 200));
            response.result(code);
            response.body() = "status " + std::to_string(code);
        } else if (path == "/partial") {
            const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
            co_await asio::async_write(socket, asio::buffer(head), awaitable);
            co_return false;
        } else {
            response.body() = "ok " + target;
        }
        response.prepare_payload();
        auto [write_error, written] = co_await http::async_write(socket, response, awaitable);
        co_return !write_error && response.keep_alive();
    }

    asio::awaitable<bool> send_chunked(tcp::socket& socket, std::size_t total, std::size_t chunk) {
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            "Transfer-Encoding: chunked\r\n\r\n";
        auto [head_error, head_bytes] =
            co_await asio::async_write(socket, asio::buffer(head), awaitable);
        if (head_error) co_return false;
        for (std::size_t sent = 0; sent < total;) {
            const std::size_t n = std::min(chunk, total - sent);
            char size_line[32];
            const auto end = std::to_chars(size_line, size_line + 30, n, 16).ptr;
            std::string piece(size_line, end);
            piece += "\r\n";
            piece.append(n, 'y');
            piece += "\r\n";
            auto [error, bytes] =
                co_await asio::async_write(socket, asio::buffer(piece), awaitable);
            if (error) co_return false;  // the client gave up (size limit)
            sent += n;
        }
        auto [tail_error, tail_bytes] = co_await asio::async_write(
            socket, asio::buffer(std::string_view("0\r\n\r\n")), awaitable);
        co_return !tail_error;
    }
};

FixtureServer::FixtureServer() : impl_(std::make_shared<Impl>()) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

FixtureServer::~FixtureServer() {
    stop();
}

void FixtureServer::stop() {
    if (!impl_->thread.joinable()) return;
    asio::post(impl_->io, [impl = impl_.get()] {
        impl->stopped = true;
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
        for (auto* timer : impl->timers) timer->cancel();
        for (auto* socket : impl->sockets) socket->close(ignored);
    });
    impl_->thread.join();
}

unsigned short FixtureServer::port() const noexcept {
    return impl_->port;
}

std::string FixtureServer::url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(target);
}

std::size_t FixtureServer::connections() const noexcept {
    return impl_->connections;
}
std::size_t FixtureServer::max_open_connections() const noexcept {
    return impl_->max_open;
}
std::size_t FixtureServer::requests() const noexcept {
    return impl_->requests;
}
std::size_t FixtureServer::max_active_requests() const noexcept {
    return impl_->max_active;
}

std::vector<SeenRequest> FixtureServer::seen() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->seen;
}

std::string FixtureServer::gzip_text() {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "The quick brown fox jumps over the lazy dog. ";
    return text;
}

unsigned short closed_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const unsigned short port = acceptor.local_endpoint().port();
    acceptor.close();
    return port;
}

}  // namespace interloop::testing
