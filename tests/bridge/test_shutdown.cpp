// A loop shut down with crossings in flight: every Deferred and coroutine settles with a clear
// error, nothing leaks, nothing touches freed memory (run under ASan and TSan).
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "bridge/as_deferred.hpp"
#include "bridge/as_future.hpp"
#include "bridge/asio_reactor.hpp"
#include "reactor/libevent_reactor.hpp"
#include "tests/bridge/bridge_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using namespace interloop::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

/// Sleeps "forever" and records how it ended.
asio::awaitable<int> sleep_long(std::atomic<bool>* ended) {
    struct Mark {
        std::atomic<bool>* ended;
        ~Mark() { *ended = true; }
    } mark{ended};
    co_await sleep_for(60s);
    co_return 1;
}

/// Runs `reactor` on this thread: `fn` first, then 20 ms of loop turns.
void run_briefly(Reactor& reactor, std::function<void()> fn) {
    reactor.call_soon(std::move(fn));
    reactor.call_later(20ms, [&reactor] { reactor.crash(); });
    reactor.run();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shutdown_mid_flight)

BOOST_AUTO_TEST_CASE(as_deferred_fails_with_loop_closed_when_the_reactor_dies_two_loops) {
    LogCapture log;
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread asio_thread([&] { io.run(); });
    std::atomic<bool> coroutine_ended{false};
    bool loop_closed = false;
    {
        LibeventReactor reactor;
        run_briefly(reactor, [&] {
            as_deferred(io.get_executor(), sleep_long(&coroutine_ended))
                .add_errback([&](const Failure& f) {
                    loop_closed = f.check<LoopClosedError>();
                    return 0;
                });
        });
        BOOST_TEST(!loop_closed);
    }  // the reactor is destroyed here, its Deferred still waiting
    BOOST_TEST(loop_closed);
    work.reset();
    asio_thread.join();  // returns only once the coroutine ended (it was cancelled)
    BOOST_TEST(coroutine_ended.load());
}

BOOST_AUTO_TEST_CASE(as_deferred_fails_with_loop_closed_when_the_reactor_dies_shared_loop) {
    asio::io_context io;
    std::atomic<bool> coroutine_ended{false};
    bool loop_closed = false;
    {
        AsioReactor reactor(io);
        run_briefly(reactor, [&] {
            as_deferred(io.get_executor(), sleep_long(&coroutine_ended))
                .add_errback([&](const Failure& f) {
                    loop_closed = f.check<LoopClosedError>();
                    return 0;
                });
        });
    }
    BOOST_TEST(loop_closed);
    io.restart();
    io.run();  // the coroutine processes its cancellation and ends
    BOOST_TEST(coroutine_ended.load());
}

BOOST_AUTO_TEST_CASE(as_deferred_fails_with_loop_closed_when_the_io_context_dies_two_loops) {
    LibeventReactor reactor;
    std::atomic<bool> coroutine_ended{false};
    bool loop_closed = false;
    {
        auto io = std::make_unique<asio::io_context>();
        run_briefly(reactor, [&] {
            as_deferred(io->get_executor(), sleep_long(&coroutine_ended))
                .add_errback([&](const Failure& f) {
                    loop_closed = f.check<LoopClosedError>();
                    return 0;
                });
        });
        std::thread asio_thread([&] { io->run_for(5ms); });
        asio_thread.join();
    }  // destroyed with the coroutine suspended: its frame is destroyed, unfinished
    BOOST_TEST(coroutine_ended.load());
    BOOST_TEST(!loop_closed);
    run_briefly(reactor, [] {});  // the news crosses to the reactor
    BOOST_TEST(loop_closed);
}

BOOST_AUTO_TEST_CASE(as_future_gets_dropped_deferred_error_when_the_reactor_dies_two_loops) {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread asio_thread([&] { io.run(); });
    std::atomic<int> outcome{0};  // 1 dropped, 2 loop closed, 3 other
    std::promise<void> waiting;
    {
        LibeventReactor reactor;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await as_future(reactor, [&] {
                        Deferred<int> d;
                        reactor.call_later(60s, [d] {});  // the producer, released with the reactor
                        waiting.set_value();
                        return d;
                    });
                    outcome = 3;
                } catch (const DroppedDeferredError&) {
                    outcome = 1;
                } catch (const LoopClosedError&) {
                    outcome = 2;
                }
            },
            [](std::exception_ptr) {});
        std::thread reactor_thread([&] {
            reactor.call_soon([] {});
            reactor.run();
        });
        waiting.get_future().wait();
        reactor.call_from_thread([&] { reactor.crash(); });
        reactor_thread.join();
    }
    work.reset();
    asio_thread.join();
    BOOST_TEST(outcome.load() == 1);
}

BOOST_AUTO_TEST_CASE(as_future_gets_loop_closed_when_the_reactor_dies_before_the_hop_ran) {
    asio::io_context io;
    std::atomic<int> outcome{0};
    {
        LibeventReactor reactor;  // never runs: the hop to it stays queued
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await as_future(reactor, [] { return succeed(1); });
                    outcome = 3;
                } catch (const LoopClosedError&) {
                    outcome = 2;
                }
            },
            [](std::exception_ptr) {});
        io.run_for(10ms);  // the coroutine now waits on the queued hop
        io.restart();
    }
    io.run();
    BOOST_TEST(outcome.load() == 2);
}

BOOST_AUTO_TEST_CASE(as_future_gets_dropped_deferred_error_when_the_reactor_dies_shared_loop) {
    asio::io_context io;
    std::atomic<int> outcome{0};
    {
        AsioReactor reactor(io);
        reactor.call_soon([&] {
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    try {
                        co_await as_future(reactor, [&] {
                            Deferred<int> d;
                            reactor.call_later(60s, [d] {});
                            return d;
                        });
                        outcome = 3;
                    } catch (const DroppedDeferredError&) {
                        outcome = 1;
                    }
                },
                [](std::exception_ptr) {});
        });
        reactor.call_later(10ms, [&] { reactor.crash(); });
        reactor.run();
    }
    io.restart();
    io.run();
    BOOST_TEST(outcome.load() == 1);
}

BOOST_AUTO_TEST_CASE(an_io_context_destroyed_while_awaiting_a_deferred_takes_its_coroutine_back) {
    LibeventReactor reactor;
    Deferred<int> pending;
    std::atomic<bool> frame_destroyed{false};
    {
        asio::io_context io;
        run_briefly(reactor, [&] {
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    struct Mark {
                        std::atomic<bool>* flag;
                        ~Mark() { *flag = true; }
                    } mark{&frame_destroyed};
                    co_await async_wait(pending, asio::use_awaitable);
                },
                [](std::exception_ptr) {});
            io.run_for(5ms);  // the coroutine now waits on `pending`
        });
    }  // io destroyed: the waiting handler (and coroutine frame) is destroyed with it
    BOOST_TEST(frame_destroyed.load());
    pending.callback(1);                // firing later must not touch the dead io_context
    BOOST_TEST(!pending.has_result());  // the wait consumed it and dropped it
}

BOOST_AUTO_TEST_SUITE_END()
