// Real third-party code on each side of the bridge, against a local Beast server:
// Boost.Beast's coroutine client from callback code (as_deferred, both modes), and libevent's
// evhttp client — a Deferred API of the libevent world — from a coroutine (as_future, two
// loops: it needs the LibeventReactor's event_base).
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "bridge/as_deferred.hpp"
#include "bridge/as_future.hpp"
#include "docs/examples/beast_client.hpp"
#include "docs/examples/evhttp_client.hpp"
#include "docs/examples/http_server.hpp"
#include "tests/bridge/bridge_testing.hpp"

using namespace interloop;
using namespace interloop::examples;
using namespace interloop::testing;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// A loopback port with nothing listening on it (the kernel chose it, then it was closed).
std::string closed_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return std::to_string(acceptor.local_endpoint().port());
}

/// A loopback listener that never accepts: the kernel completes connections into its
/// backlog, so a client connects, sends its request, and waits for a reply forever.
struct SilentListener {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
    }
};

/// Runs beast_get through as_deferred from the reactor's thread and records how it ended.
void beast_fetch(Loops& loops, const std::string& port, const std::string& target,
                 std::optional<Outcome<HttpReply>>& outcome) {
    as_deferred(loops.executor(), beast_get("127.0.0.1", port, target))
        .add_both([&loops, &outcome](Outcome<HttpReply> result) {
            outcome = std::move(result);
            loops.finish();
        });
}

LibeventReactor& libevent_of(TwoLoops& loops) {
    return dynamic_cast<LibeventReactor&>(loops.reactor());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(beast_from_callback_code)

BOOST_AUTO_TEST_CASE(a_page_fetched_by_beast_fires_the_deferred_on_the_reactor_thread) {
    for_each_mode([](Loops& loops) {
        HttpServer server(loops.executor());
        std::optional<Outcome<HttpReply>> outcome;
        bool on_reactor_thread = false;
        loops.run([&] {
            as_deferred(loops.executor(), beast_get("127.0.0.1", server.port_string(), "/"))
                .add_both([&](Outcome<HttpReply> result) {
                    on_reactor_thread = Reactor::current() == &loops.reactor();
                    outcome = std::move(result);
                    loops.finish();
                });
        });
        BOOST_REQUIRE(outcome.has_value());
        BOOST_TEST(outcome->value().status == 200);
        BOOST_TEST(outcome->value().body == HttpServer::home_page);
        BOOST_TEST(on_reactor_thread);
    });
}

BOOST_AUTO_TEST_CASE(a_404_is_a_reply_not_an_error) {
    for_each_mode([](Loops& loops) {
        HttpServer server(loops.executor());
        std::optional<Outcome<HttpReply>> outcome;
        loops.run([&] { beast_fetch(loops, server.port_string(), "/missing", outcome); });
        BOOST_REQUIRE(outcome.has_value());
        BOOST_TEST(outcome->value().status == 404);
        BOOST_TEST(outcome->value().body == "not found: /missing");
    });
}

BOOST_AUTO_TEST_CASE(connection_refused_reaches_the_errback_as_a_system_error) {
    for_each_mode([](Loops& loops) {
        std::optional<Outcome<HttpReply>> outcome;
        loops.run([&] { beast_fetch(loops, closed_port(), "/", outcome); });
        BOOST_REQUIRE(outcome.has_value());
        BOOST_REQUIRE(!outcome->has_value());
        BOOST_TEST(outcome->failure().check<boost::system::system_error>());
        try {
            outcome->failure().raise();
        } catch (const boost::system::system_error& e) {
            BOOST_TEST(e.code() == asio::error::connection_refused);
        }
    });
}

BOOST_AUTO_TEST_CASE(cancelling_the_deferred_aborts_the_beast_request) {
    for_each_mode([](Loops& loops) {
        HttpServer server(loops.executor());  // /slow answers after 5 s
        std::optional<Outcome<HttpReply>> outcome;
        double took = 0;
        loops.run([&] {
            const double start = loops.reactor().seconds();
            auto d = as_deferred(loops.executor(),
                                 beast_get("127.0.0.1", server.port_string(), "/slow"));
            d.add_both([&, start](Outcome<HttpReply> result) {
                took = loops.reactor().seconds() - start;
                outcome = std::move(result);
                loops.finish();
            });
            loops.reactor().call_later(20ms, [d]() mutable { d.cancel(); });
        });
        BOOST_REQUIRE(outcome.has_value());
        BOOST_REQUIRE(!outcome->has_value());
        BOOST_TEST(outcome->failure().check<CancelledError>());
        BOOST_TEST(took < 2.0);  // the read was aborted, not answered
    });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(evhttp_from_a_coroutine)

BOOST_AUTO_TEST_CASE(a_page_fetched_by_evhttp_resumes_the_coroutine) {
    TwoLoops loops;
    HttpServer server(loops.executor());
    LibeventReactor& reactor = libevent_of(loops);
    HttpReply got;
    std::exception_ptr error;
    loops.run([&] {
        spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
            got = co_await as_future(reactor, [&] { return http_get(reactor, server.url("/")); });
        });
    });
    rethrow_if_set(error);
    BOOST_TEST(got.status == 200);
    BOOST_TEST(got.body == HttpServer::home_page);
}

BOOST_AUTO_TEST_CASE(a_404_resumes_the_coroutine_with_the_status) {
    TwoLoops loops;
    HttpServer server(loops.executor());
    LibeventReactor& reactor = libevent_of(loops);
    HttpReply got;
    std::exception_ptr error;
    loops.run([&] {
        spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
            got = co_await as_future(reactor,
                                     [&] { return http_get(reactor, server.url("/nope?x=1")); });
        });
    });
    rethrow_if_set(error);
    BOOST_TEST(got.status == 404);
    BOOST_TEST(got.body == "not found: /nope?x=1");
}

BOOST_AUTO_TEST_CASE(connection_refused_is_caught_in_the_coroutine_by_type) {
    TwoLoops loops;
    LibeventReactor& reactor = libevent_of(loops);
    const std::string url = "http://127.0.0.1:" + closed_port() + "/";
    std::optional<HttpClientError::Reason> reason;
    std::exception_ptr error;
    loops.run([&] {
        spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
            try {
                co_await as_future(reactor, [&] { return http_get(reactor, url); });
            } catch (const HttpClientError& e) {
                reason = e.reason();
            }
        });
    });
    rethrow_if_set(error);
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(int(*reason) == int(HttpClientError::Reason::connect));
}

BOOST_AUTO_TEST_CASE(a_timeout_in_the_coroutine_cancels_the_evhttp_request) {
    TwoLoops loops;
    HttpServer server(loops.executor(), 150ms);  // /slow answers after 150 ms
    LibeventReactor& reactor = libevent_of(loops);
    std::size_t winner = 9;
    bool deferred_saw_cancelled = false;  // reactor thread
    int replies = 0;                      // reactor thread: must stay 0
    std::exception_ptr error;
    loops.run([&] {
        spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
            auto fetch_slow = [&] {
                return http_get(reactor, server.url("/slow")).add_both([&](Outcome<HttpReply> o) {
                    if (o) ++replies;
                    deferred_saw_cancelled = !o && o.failure().check<CancelledError>();
                    return o;
                });
            };
            auto race = co_await (as_future(reactor, fetch_slow) || sleep_for(50ms));
            winner = race.index();
            // Outlive the server's reply: a cancelled request must not call back.
            co_await sleep_for(250ms);
        });
    });
    rethrow_if_set(error);
    BOOST_TEST(winner == 1u);
    BOOST_TEST(deferred_saw_cancelled);
    BOOST_TEST(replies == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(evhttp_on_the_reactor)

BOOST_AUTO_TEST_CASE(cancelling_http_get_closes_the_connection_and_fails_with_cancelled_error) {
    SilentListener listener;
    LibeventReactor reactor;
    bool cancelled_error = false;
    reactor.call_soon([&] {
        auto d = http_get(reactor, listener.url());
        d.add_errback([&](const Failure& f) {
            cancelled_error = f.check<CancelledError>();
            reactor.stop();
            return HttpReply{};
        });
        reactor.call_later(50ms, [d]() mutable { d.cancel(); });
    });
    auto watchdog = reactor.call_later(10s, [&] { reactor.stop(); });
    reactor.run();
    BOOST_TEST(cancelled_error);
    // The request reached the listener's backlog and the client side is closed: reading the
    // accepted connection gives the request, then end of stream (not "would block").
    tcp::socket peer = listener.acceptor.accept();
    peer.non_blocking(true);
    std::string received(4096, '\0');
    boost::system::error_code ec;
    std::size_t n = asio::read(peer, asio::buffer(received), ec);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(received.substr(0, n).starts_with("GET / HTTP/1.1\r\n"));
}

BOOST_AUTO_TEST_CASE(destroying_the_reactor_fails_a_pending_http_get_with_loop_closed_error) {
    SilentListener listener;
    bool loop_closed = false;
    std::optional<Deferred<HttpReply>> kept;
    {
        LibeventReactor reactor;
        reactor.call_soon([&] {
            kept = http_get(reactor, listener.url()).add_errback([&](const Failure& f) {
                loop_closed = f.check<LoopClosedError>();
                return HttpReply{};
            });
            reactor.call_later(50ms, [&] { reactor.crash(); });
        });
        reactor.run();
        BOOST_TEST(!loop_closed);
    }
    BOOST_TEST(loop_closed);
}

BOOST_AUTO_TEST_CASE(a_bad_url_fails_at_once_with_http_client_error) {
    LibeventReactor reactor;
    for (const char* url : {"ftp://127.0.0.1/", "not a url", "http:///path"}) {
        BOOST_TEST_CONTEXT("url: " << url) {
            bool bad_url = false;
            http_get(reactor, url).add_errback([&](const Failure& f) {
                try {
                    f.raise();
                } catch (const HttpClientError& e) {
                    bad_url = e.reason() == HttpClientError::Reason::bad_url;
                }
                return HttpReply{};
            });
            BOOST_TEST(bad_url);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
