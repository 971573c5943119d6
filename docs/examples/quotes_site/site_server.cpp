// SiteServer: Beast coroutines on an io_context run by one thread of the server's own.

#include "docs/examples/quotes_site/site_server.hpp"

#include <zlib.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace interloop::examples {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr std::string_view not_found_body =
    "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    "<body><h1>404 Not Found</h1></body></html>\n";
constexpr std::string_view not_allowed_body = "405 Method Not Allowed\n";

/// The path of a request target: the query and fragment cut off; an absolute-form target
/// ("http://host/path") reduced to its path.
std::string_view target_path(std::string_view target) {
    if (target.starts_with("http://") || target.starts_with("https://")) {
        const std::size_t slash = target.find('/', target.find("//") + 2);
        target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    return target.substr(0, target.find_first_of("?#"));
}

/// Whether an Accept-Encoding value allows gzip ("gzip", "x-gzip" or "*", without q=0).
bool accepts_gzip(std::string_view header) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        const std::size_t semicolon = item.find(';');
        const std::string_view coding = trim(item.substr(0, semicolon));
        if (!beast::iequals(coding, "gzip") && !beast::iequals(coding, "x-gzip") && coding != "*")
            continue;
        if (semicolon == std::string_view::npos) return true;
        const std::string_view param = trim(item.substr(semicolon + 1));
        if (!param.starts_with("q=") && !param.starts_with("Q=")) return true;
        return std::strtod(std::string(param.substr(2)).c_str(), nullptr) > 0.0;
    }
    return false;
}

/// `data` as a gzip member (RFC 1952).
std::string gzip(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

/// Completion of every server coroutine: errors are handled inside them, so anything arriving
/// here is unexpected and leaves io_context::run() (the server thread records it).
void rethrow(std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
}

}  // namespace

struct SiteServer::Impl {
    /// One client connection, registered in `live` while it is served.
    struct Connection {
        beast::tcp_stream stream;
        asio::steady_timer delay;
    };

    Impl(const Site& s, SiteServerOptions o) : site(s), options(o) {}

    const Site& site;
    const SiteServerOptions options;

    // Counters: read from any thread.
    mutable std::mutex hits_mutex;
    std::map<std::string, std::uint64_t, std::less<>> hit_counts;
    std::atomic<std::uint64_t> requests{0}, connections{0}, open{0}, max_open{0};
    std::atomic<unsigned short> port{0};

    // Server thread only (after start()).
    bool stopping = false;
    std::set<Connection*> live;
    std::unordered_map<std::string, std::string> gzipped;  // path → gzip body
    std::exception_ptr error;                              // read by stop() after the join

    // Declared last: destroyed first (the acceptor, then the io_context and any coroutine
    // frames it still holds, which touch the members above).
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    bool started = false;

    /// Closes the acceptor and every connection; their coroutines then end.
    void close_all() {
        stopping = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        for (Connection* c : live) {
            c->delay.cancel();
            c->stream.socket().close(ignored);
        }
    }

    /// The server thread: runs the io_context until every coroutine has ended. After an
    /// unexpected exception it records it, closes everything and runs on until all has ended.
    void run() {
        for (;;) {
            try {
                io.run();
                return;
            } catch (...) {
                if (!error) error = std::current_exception();
                close_all();
            }
        }
    }

    void count_request(std::string_view path) {
        ++requests;
        std::lock_guard lock(hits_mutex);
        auto it = hit_counts.find(path);
        if (it == hit_counts.end()) it = hit_counts.emplace(std::string(path), 0).first;
        ++it->second;
    }

    asio::awaitable<void> accept_loop() {
        while (!stopping) {
            auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (stopping) break;
            if (ec) continue;  // e.g. the client reset the connection before the accept
            asio::co_spawn(io, serve(std::move(socket)), rethrow);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        Connection connection{beast::tcp_stream(std::move(socket)), asio::steady_timer(io)};
        struct Registration {
            Impl& impl;
            Connection& connection;
            Registration(Impl& i, Connection& c) : impl(i), connection(c) {
                impl.live.insert(&connection);
                ++impl.connections;
                const std::uint64_t now = ++impl.open;
                if (now > impl.max_open.load()) impl.max_open.store(now);
            }
            ~Registration() {
                impl.live.erase(&connection);
                --impl.open;
            }
        } registration(*this, connection);

        beast::flat_buffer buffer;
        while (!stopping) {
            http::request<http::string_body> request;
            auto [read_error, read] = co_await http::async_read(
                connection.stream, buffer, request, asio::as_tuple(asio::use_awaitable));
            if (read_error) co_return;  // end of stream, a reset, a bad request, or stop()
            count_request(target_path(request.target()));
            if (options.delay.count() > 0) {
                connection.delay.expires_after(options.delay);
                auto [wait_error] =
                    co_await connection.delay.async_wait(asio::as_tuple(asio::use_awaitable));
                if (wait_error || stopping) co_return;
            }
            if (!co_await reply(connection.stream, request)) co_return;
            if (!request.keep_alive()) break;
        }
        boost::system::error_code ignored;
        connection.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    /// Sends the reply to `request`; false if the connection failed.
    asio::awaitable<bool> reply(beast::tcp_stream& stream,
                                const http::request<http::string_body>& request) {
        const bool head = request.method() == http::verb::head;
        const std::string_view path = target_path(request.target());
        const Page* page = site.find(path);
        http::status status = http::status::ok;
        std::string_view content_type = "text/html; charset=utf-8", body, encoding;
        if (!head && request.method() != http::verb::get) {
            status = http::status::method_not_allowed;
            content_type = "text/plain; charset=utf-8";
            body = not_allowed_body;
        } else if (page == nullptr) {
            status = http::status::not_found;
            body = not_found_body;
        } else {
            status = static_cast<http::status>(page->status);
            content_type = page->content_type;
            body = page->body;
            if (options.gzip && accepts_gzip(request[http::field::accept_encoding])) {
                auto it = gzipped.find(std::string(path));
                if (it == gzipped.end()) it = gzipped.emplace(path, gzip(page->body)).first;
                body = it->second;
                encoding = "gzip";
            }
        }
        auto fill = [&](auto& response) {
            response.result(status);
            response.version(request.version());
            response.set(http::field::server, "interloop-quotes-site");
            response.set(http::field::content_type, content_type);
            if (!encoding.empty()) response.set(http::field::content_encoding, encoding);
            if (options.gzip) response.set(http::field::vary, "Accept-Encoding");
            if (status == http::status::method_not_allowed)
                response.set(http::field::allow, "GET, HEAD");
            response.keep_alive(request.keep_alive());
        };
        boost::system::error_code error;
        if (head) {
            http::response<http::empty_body> response;
            fill(response);
            response.content_length(body.size());
            std::tie(error, std::ignore) =
                co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        } else {
            http::response<http::span_body<const char>> response;
            fill(response);
            response.body() = {body.data(), body.size()};
            response.prepare_payload();
            std::tie(error, std::ignore) =
                co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        }
        co_return !error;
    }
};

SiteServer::SiteServer(const Site& site, SiteServerOptions options)
    : impl_(std::make_unique<Impl>(site, options)) {}

SiteServer::~SiteServer() {
    try {
        stop();
    } catch (...) {
        // Documented: the destructor drops errors; stop() reports them.
    }
}

void SiteServer::start() {
    Impl& impl = *impl_;
    if (impl.started) throw std::logic_error("SiteServer::start() called twice");
    impl.started = true;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), impl.options.port);
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen();
    impl.port = impl.acceptor.local_endpoint().port();
    asio::co_spawn(impl.io, impl.accept_loop(), rethrow);
    impl.thread = std::thread([&impl] { impl.run(); });
}

void SiteServer::stop() {
    Impl& impl = *impl_;
    if (!impl.thread.joinable()) return;
    asio::post(impl.io, [&impl] { impl.close_all(); });
    impl.thread.join();
    if (std::exception_ptr error = std::exchange(impl.error, nullptr))
        std::rethrow_exception(error);
}

unsigned short SiteServer::port() const noexcept {
    return impl_->port;
}

std::string SiteServer::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::uint64_t SiteServer::hits(std::string_view path) const {
    std::lock_guard lock(impl_->hits_mutex);
    auto it = impl_->hit_counts.find(path);
    return it == impl_->hit_counts.end() ? 0 : it->second;
}

std::map<std::string, std::uint64_t> SiteServer::all_hits() const {
    std::lock_guard lock(impl_->hits_mutex);
    return {impl_->hit_counts.begin(), impl_->hit_counts.end()};
}

std::uint64_t SiteServer::requests() const noexcept {
    return impl_->requests;
}
std::uint64_t SiteServer::connections() const noexcept {
    return impl_->connections;
}
std::uint64_t SiteServer::open_connections() const noexcept {
    return impl_->open;
}
std::uint64_t SiteServer::max_concurrent_connections() const noexcept {
    return impl_->max_open;
}

}  // namespace interloop::examples
