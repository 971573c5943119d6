// What is specific to the shared loop: an AsioReactor on the user's io_context, where Deferred
// callbacks and Asio coroutines run on one thread. The Reactor contract itself is tested on
// AsioReactor by tests/reactor (reactor_factories()).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bridge/asio_reactor.hpp"
#include "reactor/deferred.hpp"
#include "tests/reactor/reactor_testing.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::testing;
namespace asio = boost::asio;
using Trace = std::vector<std::string>;

namespace {

/// A co_spawn completion handler that keeps the coroutine's exception (never `detached`,
/// which would swallow a failing assertion) and notes that it finished.
struct SpawnResult {
    std::exception_ptr error;
    bool finished = false;
    auto handler(std::function<void()> then = {}) {
        return [this, then = std::move(then)](std::exception_ptr e) {
            error = e;
            finished = true;
            if (then) then();
        };
    }
};

/// A Deferred fired by the reactor on a later call_soon.
Deferred<void> soon(Reactor& reactor) {
    Deferred<void> d;
    reactor.call_soon([d]() mutable { d.callback(); });
    return d;
}

std::size_t count(const Trace& trace, const std::string& entry) {
    return static_cast<std::size_t>(std::count(trace.begin(), trace.end(), entry));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(asio_reactor_shared_loop)

BOOST_AUTO_TEST_CASE(a_deferred_coroutine_and_an_asio_coroutine_interleave_on_one_thread) {
    asio::io_context context;
    AsioReactor reactor(context);
    Trace trace;
    std::vector<std::thread::id> threads;
    int done = 0;
    auto one_done = [&] {
        if (++done == 2) reactor.stop();
    };

    // Named lambdas: a coroutine lambda's captures live in the lambda object, not the frame.
    auto deferred_side = [&]() -> Deferred<void> {
        for (int i = 0; i < 3; ++i) {
            trace.push_back("deferred");
            threads.push_back(std::this_thread::get_id());
            co_await soon(reactor);
        }
    };
    bool fired_inline = false;
    auto asio_side = [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            trace.push_back("asio");
            threads.push_back(std::this_thread::get_id());
            co_await asio::post(context, asio::use_awaitable);
        }
        // Crossing is a plain call: the Deferred's callback runs inside callback().
        Deferred<int> d;
        Deferred<void> chained = d.add_callback([&](int) { fired_inline = true; });
        d.callback(1);
        BOOST_TEST(fired_inline);
    };
    SpawnResult outcome;
    asio::co_spawn(context, asio_side, outcome.handler(one_done));
    Deferred<void> deferred_done = deferred_side();
    Deferred<void> counted = deferred_done.add_callback([&] { one_done(); });
    run_guarded(reactor);

    BOOST_TEST(!outcome.error);
    BOOST_TEST(outcome.finished);
    BOOST_TEST(fired_inline);
    BOOST_REQUIRE(trace.size() == 6u);
    BOOST_TEST(count(trace, "asio") == 3u);
    // Interleaved: some Asio step ran between the first and the last Deferred step.
    const auto first = std::find(trace.begin(), trace.end(), "deferred");
    const auto last = std::find(trace.rbegin(), trace.rend(), "deferred").base();
    BOOST_TEST((std::find(first, last, "asio") != last));
    for (std::thread::id id : threads) BOOST_TEST((id == std::this_thread::get_id()));
}

BOOST_AUTO_TEST_CASE(call_soon_and_asio_post_keep_fifo_order) {
    // Checked on a shared io_context (default concurrency hint) and on an owned one (hint 1,
    // where posts made inside a handler go through a private queue first).
    asio::io_context shared_context;
    AsioReactor shared(shared_context);
    AsioReactor owned;
    for (AsioReactor* reactor : {&shared, &owned}) {
        Trace trace;
        auto note = [&](std::string name) { return [&trace, name] { trace.push_back(name); }; };
        auto interleave = [&](const std::string& round) {
            reactor->call_soon(note("soon a" + round));
            asio::post(reactor->context(), note("post a" + round));
            reactor->call_soon(note("soon b" + round));
            asio::post(reactor->executor(), note("post b" + round));
        };
        interleave(" before run");
        int pending = 2;  // the calls below and the coroutine
        auto one_done = [&] {
            if (--pending == 0) reactor->stop();
        };
        reactor->call_soon([&] {
            interleave(" inside a call");
            reactor->call_soon(one_done);
        });
        SpawnResult outcome;
        asio::co_spawn(
            reactor->executor(),
            [&]() -> asio::awaitable<void> {
                reactor->call_soon(note("soon from coroutine"));
                co_await asio::post(reactor->executor(), asio::use_awaitable);
                trace.push_back("coroutine resumed");
            },
            outcome.handler(one_done));
        run_guarded(*reactor);
        BOOST_TEST(!outcome.error);
        const Trace expected{"soon a before run",    "post a before run",    "soon b before run",
                             "post b before run",    "soon a inside a call", "post a inside a call",
                             "soon b inside a call", "post b inside a call"};
        Trace calls;  // the trace without the coroutine's entries, whose start Asio schedules
        for (const std::string& entry : trace)
            if (entry.find("coroutine") == std::string::npos) calls.push_back(entry);
        BOOST_TEST(calls == expected, boost::test_tools::per_element());
        const auto soon_at = std::find(trace.begin(), trace.end(), "soon from coroutine");
        BOOST_TEST((soon_at < std::find(trace.begin(), trace.end(), "coroutine resumed")));
    }
}

BOOST_AUTO_TEST_CASE(a_steady_timer_and_call_later_coexist) {
    // Deadlines 20 ms apart, so that a slow (sanitized, loaded) run keeps the order.
    asio::io_context context;
    AsioReactor reactor(context);
    Trace trace;
    auto note = [&](const char* name) {
        trace.push_back(name);
        if (trace.size() == 4) reactor.stop();
    };
    asio::steady_timer timer(context, 60ms);
    timer.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) note("steady_timer 60");
    });
    reactor.call_later(20ms, [&] { note("call_later 20"); });
    SpawnResult outcome;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(context, 40ms);
            co_await t.async_wait(asio::use_awaitable);
            note("coroutine timer 40");
            reactor.call_later(40ms, [&] { note("call_later 40 + 40"); });
        },
        outcome.handler());
    run_guarded(reactor);
    BOOST_TEST(!outcome.error);
    BOOST_TEST(trace == (Trace{"call_later 20", "coroutine timer 40", "steady_timer 60",
                               "call_later 40 + 40"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stopping_the_reactor_stops_the_io_context_and_run_resumes_both_worlds) {
    asio::io_context context;
    AsioReactor reactor(context);
    int asio_ticks = 0;
    int reactor_ticks = 0;
    bool quit = false;
    SpawnResult outcome;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(context);
            while (!quit) {
                timer.expires_after(1ms);
                co_await timer.async_wait(asio::use_awaitable);
                ++asio_ticks;
            }
        },
        outcome.handler([&] { reactor.stop(); }));
    std::function<void()> tick = [&] {
        ++reactor_ticks;
        reactor.call_later(1ms, tick);
    };
    reactor.call_soon(tick);

    bool late_post_ran = false;
    reactor.call_later(20ms, [&] {
        // io_context::stop() stops Asio work too: this post waits for the next run().
        asio::post(context, [&] { late_post_ran = true; });
        reactor.stop();
    });
    run_guarded(reactor);
    BOOST_TEST(context.stopped());
    BOOST_TEST(!late_post_ran);
    const int asio_before = asio_ticks;
    const int reactor_before = reactor_ticks;
    BOOST_TEST(asio_before > 0);
    BOOST_TEST(reactor_before > 0);

    reactor.call_later(20ms, [&] { reactor.stop(); });
    run_guarded(reactor);
    BOOST_TEST(late_post_ran);
    BOOST_TEST(asio_ticks > asio_before);
    BOOST_TEST(reactor_ticks > reactor_before);

    quit = true;  // the coroutine ends at its next tick; its handler stops the reactor
    run_guarded(reactor);
    BOOST_TEST(outcome.finished);
    BOOST_TEST(!outcome.error);
}

BOOST_AUTO_TEST_CASE(stopping_the_io_context_directly_ends_run_as_a_crash) {
    asio::io_context context;
    AsioReactor reactor(context);
    reactor.call_soon([&] { context.stop(); });
    run_guarded(reactor);
    BOOST_TEST(!reactor.running());
    bool ran = false;
    reactor.call_soon([&] {
        ran = true;
        reactor.stop();
    });
    run_guarded(reactor);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(an_exception_escaping_an_asio_handler_propagates_out_of_run) {
    asio::io_context context;
    AsioReactor reactor(context);
    asio::post(context, [] { throw std::runtime_error("asio handler threw"); });
    BOOST_CHECK_THROW(run_guarded(reactor), std::runtime_error);
    BOOST_TEST(!reactor.running());
    reactor.call_soon([&] { reactor.stop(); });
    run_guarded(reactor);  // runs again
}

BOOST_AUTO_TEST_CASE(the_default_constructor_owns_an_io_context) {
    AsioReactor reactor;
    BOOST_TEST((&reactor.executor().context() == &reactor.context()));
    bool timer_fired = false;
    SpawnResult outcome;
    asio::co_spawn(
        reactor.executor(),
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(reactor.context(), 1ms);
            co_await timer.async_wait(asio::use_awaitable);
            timer_fired = true;
        },
        outcome.handler([&] { reactor.stop(); }));
    run_guarded(reactor);
    BOOST_TEST(timer_fired);
    BOOST_TEST(!outcome.error);
}

BOOST_AUTO_TEST_CASE(call_from_thread_runs_on_the_thread_of_the_coroutines) {
    asio::io_context context;
    AsioReactor reactor(context);
    std::thread::id coroutine_thread;
    std::thread::id call_thread;
    std::thread worker;
    SpawnResult outcome;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            coroutine_thread = std::this_thread::get_id();
            worker = std::thread([&] {
                reactor.call_from_thread([&] {
                    call_thread = std::this_thread::get_id();
                    reactor.stop();
                });
            });
            co_return;
        },
        outcome.handler());
    run_guarded(reactor);
    worker.join();
    BOOST_TEST(!outcome.error);
    BOOST_TEST((call_thread == coroutine_thread));
}

BOOST_AUTO_TEST_CASE(a_watch_and_an_asio_descriptor_can_share_an_fd) {
    asio::io_context context;
    AsioReactor reactor(context);
    FdPair pipe = FdPair::pipe();
    asio::posix::stream_descriptor descriptor(context, pipe.first());  // the user's own
    bool watch_fired = false;
    bool wait_fired = false;
    auto maybe_stop = [&] {
        if (watch_fired && wait_fired) reactor.stop();
    };
    Watch watch = reactor.watch(pipe.first(), Interest::readable, [&](Interest) {
        watch_fired = true;
        watch.close();
        maybe_stop();
    });
    descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                          [&](const boost::system::error_code& ec) {
                              wait_fired = !ec;
                              maybe_stop();
                          });
    put_byte(pipe.second());
    run_guarded(reactor);
    static_cast<void>(descriptor.release());  // FdPair closes the fd
    BOOST_TEST(watch_fired);
    BOOST_TEST(wait_fired);
}

BOOST_AUTO_TEST_CASE(destroying_the_reactor_leaves_a_shared_io_context_usable) {
    asio::io_context context;
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());
    auto token = std::make_shared<int>(0);
    Watch watch;
    DelayedCall call;
    {
        AsioReactor reactor(context);
        reactor.install_signal_handlers();
        watch = reactor.watch(pipe.first(), Interest::readable, [](Interest) {
            BOOST_ERROR("a watch of a destroyed reactor fired");
        });
        // Stop with reactor handlers still queued on the io_context.
        reactor.call_soon([&] {
            reactor.call_soon([token] { BOOST_ERROR("a released call ran"); });
            reactor.call_from_thread([token] { BOOST_ERROR("a released call ran"); });
            reactor.crash();
        });
        call = reactor.call_later(0ms, [token] { BOOST_ERROR("a released call ran"); });
        run_guarded(reactor);
        BOOST_TEST(token.use_count() == 4);
    }
    BOOST_TEST(token.use_count() == 1);  // released with the reactor
    BOOST_TEST(!call.active());
    bool asio_ran = false;
    asio::post(context, [&] { asio_ran = true; });
    context.restart();
    // The reactor's leftover handlers run as no-ops; run_for bounds a broken test.
    context.run_for(5s);
    BOOST_TEST(asio_ran);
    watch.set_interest(Interest::writable);  // inert
    watch.close();
}

BOOST_AUTO_TEST_SUITE_END()
