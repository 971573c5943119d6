#pragma once
// SiteServer: serves a generated quotes Site over HTTP/1.1 on 127.0.0.1, from a Boost.Beast
// server on an io_context of its own thread, and counts what it serves (hits per path,
// connections, the most connections open at once) so crawler tests can check what a crawl
// did to the server.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "docs/examples/quotes_site/site.hpp"

namespace interloop::examples {

/// How a SiteServer serves.
struct SiteServerOptions {
    /// The port on 127.0.0.1; 0 lets the kernel choose one (read it with `port()`).
    unsigned short port = 0;
    /// Waited before each reply (on that connection only; others are served meanwhile).
    std::chrono::milliseconds delay{0};
    /// Send `Content-Encoding: gzip` bodies to requests whose Accept-Encoding allows gzip.
    bool gzip = false;
};

/// Serves a Site on 127.0.0.1: GET and HEAD of a path of the site (the query is ignored, as
/// nginx serving the written site ignores it) → its page; any other path → 404 with a body
/// without links; other methods → 405. HTTP/1.1 keep-alive (and 1.0 with
/// `Connection: keep-alive`), any number of connections.
///
/// `start()` listens and runs the server on a thread of its own; `stop()` (or the destructor)
/// closes every connection and joins that thread. The counters may be read from any thread at
/// any time; a request is counted before its reply is sent, so a client that has read a reply
/// sees it counted. The Site must outlive the server and not change while it runs.
class SiteServer {
public:
    /// A server for `site` (not started).
    explicit SiteServer(const Site& site, SiteServerOptions options = {});
    SiteServer(const SiteServer&) = delete;
    SiteServer& operator=(const SiteServer&) = delete;
    /// Stops the server if it runs (errors are dropped; call stop() to see them).
    ~SiteServer();

    /// Listens on 127.0.0.1 (at once: `port()` is valid when it returns) and starts serving
    /// on a new thread. Throws boost::system::system_error if the port cannot be bound and
    /// std::logic_error if called twice.
    void start();
    /// Closes the listening socket and every connection (a delayed reply is dropped) and joins
    /// the server thread. Idempotent. Rethrows an unexpected exception of the server thread.
    void stop();

    /// The port listened on (0 before start()).
    unsigned short port() const noexcept;
    /// `http://127.0.0.1:<port><path>`.
    std::string url(std::string_view path = "/") const;

    /// Requests received for `path` (query stripped), whatever their reply (200, 404, 405).
    std::uint64_t hits(std::string_view path) const;
    /// Every path requested so far, with its hit count.
    std::map<std::string, std::uint64_t> all_hits() const;
    /// Requests received in all.
    std::uint64_t requests() const noexcept;
    /// Connections accepted in all.
    std::uint64_t connections() const noexcept;
    /// Connections open now (a closed client is counted until the server sees the close).
    std::uint64_t open_connections() const noexcept;
    /// The most connections open at the same time so far.
    std::uint64_t max_concurrent_connections() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace interloop::examples
