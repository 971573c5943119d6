// A tour of the bridge (DESIGN.md, bridge/), run by the test `example_bridge_tour`.
//
// Two loops: a LibeventReactor runs on the main thread (react()), an io_context on a second
// thread, and a small Beast HTTP server on 127.0.0.1 serves both. Real third-party code on
// each side crosses over:
//
//  (a) callback code fetches a page with Boost.Beast (an Asio coroutine) through as_deferred;
//  (b) an Asio coroutine fetches a page with libevent's evhttp client (a Deferred API of the
//      libevent world) through as_future;
//  (c) the coroutine races a slow evhttp request against a 50 ms Asio timer: the timer wins,
//      the cancellation crosses to the reactor, the evhttp request is cancelled and its
//      Deferred fails with CancelledError.
//
// Then both loops stop cleanly (the io_context runs out of work). The program checks its own
// story against the expected one and exits non-zero on a mismatch.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bridge/as_deferred.hpp"
#include "bridge/as_future.hpp"
#include "docs/examples/beast_client.hpp"
#include "docs/examples/evhttp_client.hpp"
#include "docs/examples/http_server.hpp"
#include "reactor/libevent_reactor.hpp"
#include "reactor/react.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::examples;
namespace asio = boost::asio;
// Still experimental in Boost 1.81 (DESIGN.md, Known pitfalls): used here for one `||`.
using namespace boost::asio::experimental::awaitable_operators;

namespace {

/// Prints what happens, tagged with the thread it happens on, and keeps the story.
class Journal {
public:
    explicit Journal(std::thread::id reactor_thread) : reactor_thread_(reactor_thread) {}

    template <class... Args>
    void note(fmt::format_string<Args...> format, Args&&... args) {
        const char* where = std::this_thread::get_id() == reactor_thread_ ? "reactor" : "asio";
        std::string line =
            fmt::format("[{}] {}", where, fmt::format(format, std::forward<Args>(args)...));
        std::lock_guard lock(mutex_);
        const std::chrono::duration<double, std::milli> elapsed = Clock::now() - start_;
        fmt::print("{:4.0f} ms  {}\n", elapsed.count(), line);
        story_.push_back(std::move(line));
    }

    std::vector<std::string> story() const {
        std::lock_guard lock(mutex_);
        return story_;
    }

private:
    using Clock = std::chrono::steady_clock;
    const std::thread::id reactor_thread_;
    const Clock::time_point start_ = Clock::now();
    mutable std::mutex mutex_;
    std::vector<std::string> story_;
};

/// Waits on an Asio timer.
asio::awaitable<void> timer(std::chrono::milliseconds delay) {
    asio::steady_timer t(co_await asio::this_coro::executor, delay);
    co_await t.async_wait(asio::use_awaitable);
}

/// (b) and (c): an Asio coroutine using the evhttp client of the libevent world. Every
/// `as_future(reactor, fn)` runs `fn` on the reactor's thread and awaits its Deferred here.
asio::awaitable<void> coroutine_side(LibeventReactor& reactor, Journal& journal,
                                     std::string page_url, std::string slow_url) {
    HttpReply page = co_await as_future(reactor, [&] { return http_get(reactor, page_url); });
    journal.note("evhttp page via as_future: status {}, {} bytes", page.status, page.body.size());

    // Runs on the reactor's thread: the Deferred API call, with an errback that notes how
    // the Deferred ended (the flag is only touched on that thread).
    bool deferred_cancelled = false;
    auto fetch_slow = [&] {
        return http_get(reactor, slow_url).add_errback([&](const Failure& f) -> HttpReply {
            deferred_cancelled = f.check<CancelledError>();
            f.raise();
        });
    };
    auto race = co_await (as_future(reactor, fetch_slow) || timer(50ms));
    // The cancellation was queued to the reactor before this call, from this same thread:
    // it has run by the time this lambda runs, so the flag is read after the errback.
    const bool saw = co_await as_future(reactor, [&] { return succeed(deferred_cancelled); });
    journal.note("{} won the race; the evhttp request's Deferred {}",
                 race.index() == 1 ? "the 50 ms timer" : "/slow",
                 saw ? "failed with CancelledError" : "was not cancelled");
}

/// The main function, a Deferred coroutine on the reactor; react() stops the loop after it.
Deferred<void> tour(LibeventReactor& reactor, asio::any_io_executor asio_side,
                    const HttpServer& server, Journal& journal) {
    // (a) Callback code: a Beast coroutine becomes a Deferred; its callback runs here.
    co_await as_deferred(asio_side, beast_get("127.0.0.1", server.port_string(), "/"))
        .add_callback([&](HttpReply page) {
            journal.note("Beast page via as_deferred: status {}, {} bytes", page.status,
                         page.body.size());
        });
    co_await as_deferred(asio_side, beast_get("127.0.0.1", server.port_string(), "/missing"))
        .add_callback([&](HttpReply page) {
            journal.note("Beast /missing via as_deferred: status {}", page.status);
        });

    // (b), (c) An Asio coroutine, itself awaited from here through as_deferred.
    co_await as_deferred(asio_side,
                         coroutine_side(reactor, journal, server.url("/"), server.url("/slow")));
    journal.note("tour done");
}

}  // namespace

int main() {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    HttpServer server(io.get_executor());
    std::thread asio_thread([&io] { io.run(); });

    Journal journal(std::this_thread::get_id());
    int code = 0;
    {
        LibeventReactor reactor;
        code = react(reactor,
                     [&](Reactor&) { return tour(reactor, io.get_executor(), server, journal); });
    }
    // No work left behind: once the server is stopped the io_context runs out of work.
    server.stop();
    work.reset();
    asio_thread.join();

    const std::string page_size = std::to_string(HttpServer::home_page.size());
    const std::vector<std::string> expected = {
        "[reactor] Beast page via as_deferred: status 200, " + page_size + " bytes",
        "[reactor] Beast /missing via as_deferred: status 404",
        "[asio] evhttp page via as_future: status 200, " + page_size + " bytes",
        "[asio] the 50 ms timer won the race; the evhttp request's Deferred failed with "
        "CancelledError",
        "[reactor] tour done",
    };
    if (code == 0 && journal.story() != expected) {
        fmt::print("MISMATCH\nexpected: {}\ngot:      {}\n", expected, journal.story());
        return 1;
    }
    return code;
}
