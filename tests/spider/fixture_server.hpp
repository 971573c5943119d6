#pragma once
// FixtureServer: a small HTTP/1.1 server on 127.0.0.1 (ephemeral port, own thread) with the
// endpoints the downloader tests need, counting connections and concurrent requests.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace interloop::testing {

/// What the server saw of one request.
struct SeenRequest {
    std::string method;
    std::string target;
    std::string user_agent;
    std::string accept_encoding;
    std::string body;
};

/// Serves, on 127.0.0.1 with keep-alive:
///
/// * `/ok...` (any path not below) → 200 "ok <target>";
/// * `/slow?ms=N` → 200 "slow" after N ms (on that connection; others are served meanwhile);
/// * `/hang` → never replies (until stop);
/// * `/bytes?n=N` → 200 with N bytes of 'x' and a Content-Length;
/// * `/chunked?n=N&chunk=K` → 200, chunked, N bytes of 'y' in K-byte chunks, each written
///   separately (no Content-Length: the size is only known by receiving it);
/// * `/redirect?n=N` → 302 to `/redirect?n=N-1`; `n=0` → 200 "landed";
/// * `/redirect-to?location=L` → 302 with `Location: L` (L percent-decoded);
/// * `/gzip` → 200 with a gzip-encoded body of `gzip_text()` when the request accepts gzip;
/// * `/status?code=N` → status N, body "status N";
/// * `/partial` → announces 100 bytes, sends 10 and closes the connection.
///
/// Counters are safe to read from any thread; a request is counted before its reply is sent.
class FixtureServer {
public:
    /// Listens (port() is valid at once) and serves on a thread of its own.
    FixtureServer();
    FixtureServer(const FixtureServer&) = delete;
    FixtureServer& operator=(const FixtureServer&) = delete;
    /// stop().
    ~FixtureServer();
    /// Closes everything and joins the thread. Idempotent.
    void stop();

    unsigned short port() const noexcept;
    /// `http://127.0.0.1:<port><target>`.
    std::string url(std::string_view target) const;

    /// Connections accepted in all.
    std::size_t connections() const noexcept;
    /// The most connections open at once.
    std::size_t max_open_connections() const noexcept;
    /// Requests received in all.
    std::size_t requests() const noexcept;
    /// The most requests being served at once (received, reply not yet written).
    std::size_t max_active_requests() const noexcept;
    /// Every request so far, in arrival order.
    std::vector<SeenRequest> seen() const;

    /// The text `/gzip` serves (compressed on the wire).
    static std::string gzip_text();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

/// A port on 127.0.0.1 where nothing listens (bound, then closed), for "connection refused".
unsigned short closed_port();

}  // namespace interloop::testing
