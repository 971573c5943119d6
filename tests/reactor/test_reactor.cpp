// Reactor behaviour common to every real reactor: timers, call_soon, call_from_thread,
// run/stop. Each test runs once per implementation in reactor_factories().

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "reactor/errors.hpp"
#include "tests/reactor/reactor_factories.hpp"
#include "tests/reactor/reactor_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::testing;
using Trace = std::vector<std::string>;

#define REACTOR_TEST(name) \
    BOOST_DATA_TEST_CASE(name, boost::unit_test::data::make(reactor_factories()), factory)

BOOST_AUTO_TEST_SUITE(reactor_core)

// ---- call_later ---------------------------------------------------------------------------

REACTOR_TEST(call_later_runs_calls_in_time_order) {
    auto reactor = factory.make();
    Trace trace;
    reactor->call_later(30ms, [&] {
        trace.push_back("30");
        reactor->stop();
    });
    reactor->call_later(10ms, [&] { trace.push_back("10"); });
    reactor->call_later(20ms, [&] { trace.push_back("20"); });
    reactor->call_later(0ms, [&] { trace.push_back("0"); });
    run_guarded(*reactor);
    BOOST_TEST(trace == (Trace{"0", "10", "20", "30"}), boost::test_tools::per_element());
}

REACTOR_TEST(call_later_never_runs_a_call_before_its_time) {
    auto reactor = factory.make();
    const double start = reactor->seconds();
    double elapsed = -1;
    reactor->call_later(20ms, [&] {
        elapsed = reactor->seconds() - start;
        reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST(elapsed >= 0.020);
}

REACTOR_TEST(a_cancelled_call_never_runs_and_leaves_nothing_pending) {
    auto reactor = factory.make();
    bool ran = false;
    DelayedCall call = reactor->call_later(10ms, [&] { ran = true; });
    reactor->call_later(20ms, [&] { reactor->stop(); });
    call.cancel();
    run_guarded(*reactor);
    BOOST_TEST(!ran);
    BOOST_TEST(base_of(*reactor).pending_calls().empty());
}

REACTOR_TEST(reset_moves_a_call_earlier_and_rearms_the_timer) {
    auto reactor = factory.make();
    bool far_ran = false;
    DelayedCall far = reactor->call_later(10s, [&] {  // beyond the 5 s watchdog
        far_ran = true;
        reactor->stop();
    });
    reactor->call_later(0ms, [&] { far.reset(5ms); });
    run_guarded(*reactor);
    BOOST_TEST(far_ran);
}

REACTOR_TEST(delay_postpones_a_call) {
    auto reactor = factory.make();
    bool ran = false;
    DelayedCall call = reactor->call_later(5ms, [&] { ran = true; });
    call.delay(10s);
    reactor->call_later(50ms, [&] {
        BOOST_TEST(call.active());
        call.cancel();
        reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST(!ran);
}

REACTOR_TEST(a_self_rescheduling_zero_delay_call_does_not_starve_io) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());
    bool io_seen = false;
    int spins = 0;
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        io_seen = true;
        watch.close();
    });
    std::function<void()> spin = [&] {
        if (io_seen || ++spins > 100000) return reactor->stop();
        reactor->call_later(0s, spin);
    };
    reactor->call_later(0s, spin);
    run_guarded(*reactor);
    BOOST_TEST(io_seen);
    BOOST_TEST(spins < 100);
}

// ---- call_soon ----------------------------------------------------------------------------

REACTOR_TEST(call_soon_runs_calls_in_fifo_order) {
    auto reactor = factory.make();
    Trace trace;
    for (const char* name : {"a", "b", "c", "d"})
        reactor->call_soon([&, name] { trace.push_back(name); });
    reactor->call_soon([&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(trace == (Trace{"a", "b", "c", "d"}), boost::test_tools::per_element());
}

REACTOR_TEST(calls_added_during_a_call_soon_drain_run_after_the_queued_ones) {
    auto reactor = factory.make();
    Trace trace;
    reactor->call_soon([&] {
        trace.push_back("a");
        reactor->call_soon([&] {
            trace.push_back("c");
            reactor->stop();
        });
        BOOST_TEST(trace.back() == "a");  // never inline
    });
    reactor->call_soon([&] { trace.push_back("b"); });
    run_guarded(*reactor);
    BOOST_TEST(trace == (Trace{"a", "b", "c"}), boost::test_tools::per_element());
}

REACTOR_TEST(a_self_rescheduling_call_soon_does_not_starve_io_or_timers) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());
    bool io_seen = false;
    bool timer_seen = false;
    int spins = 0;
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        io_seen = true;
        watch.close();
    });
    reactor->call_later(1ms, [&] { timer_seen = true; });
    std::function<void()> spin = [&] {
        if ((io_seen && timer_seen) || ++spins > 10'000'000) return reactor->stop();
        reactor->call_soon(spin);
    };
    reactor->call_soon(spin);
    run_guarded(*reactor);
    BOOST_TEST(io_seen);
    BOOST_TEST(timer_seen);
    BOOST_TEST(spins < 10'000'000);
}

REACTOR_TEST(call_soon_before_run_runs_once_the_loop_runs) {
    auto reactor = factory.make();
    bool was_running = false;
    reactor->call_soon([&] {
        was_running = reactor->running();
        reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST(was_running);
}

// ---- call_from_thread ---------------------------------------------------------------------

REACTOR_TEST(call_from_thread_from_the_loop_thread_runs_later_on_the_loop) {
    auto reactor = factory.make();
    Trace trace;
    reactor->call_soon([&] {
        reactor->call_from_thread([&] {
            trace.push_back("from thread");
            reactor->stop();
        });
        trace.push_back("caller done");
    });
    run_guarded(*reactor);
    BOOST_TEST(trace == (Trace{"caller done", "from thread"}), boost::test_tools::per_element());
}

REACTOR_TEST(call_from_thread_before_run_runs_once_the_loop_runs) {
    auto reactor = factory.make();
    bool ran = false;
    std::thread([&] { reactor->call_from_thread([&] { ran = true; }); }).join();
    reactor->call_from_thread([&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(ran);
}

REACTOR_TEST(call_from_thread_from_another_thread_runs_on_the_loop_thread) {
    auto reactor = factory.make();
    std::thread::id loop_thread;
    std::thread::id ran_on;
    std::thread worker;
    reactor->call_soon([&] {
        loop_thread = std::this_thread::get_id();
        worker = std::thread([&] {
            reactor->call_from_thread([&] {
                ran_on = std::this_thread::get_id();
                reactor->stop();
            });
        });
    });
    run_guarded(*reactor);
    worker.join();
    BOOST_TEST((ran_on == loop_thread));
}

REACTOR_TEST(call_from_thread_keeps_each_threads_order) {
    auto reactor = factory.make();
    constexpr int threads = 2;
    constexpr int per_thread = 2000;
    std::vector<std::vector<int>> seen(threads);
    int total = 0;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i)
                reactor->call_from_thread([&, t, i] {
                    seen[t].push_back(i);
                    if (++total == threads * per_thread) reactor->stop();
                });
        });
    run_guarded(*reactor);
    for (std::thread& w : workers) w.join();
    for (int t = 0; t < threads; ++t) {
        BOOST_REQUIRE(seen[t].size() == std::size_t(per_thread));
        for (int i = 0; i < per_thread; ++i) BOOST_TEST(seen[t][i] == i);
    }
}

REACTOR_TEST(calls_added_during_a_call_from_thread_drain_run_after_the_queued_ones) {
    auto reactor = factory.make();
    Trace trace;
    reactor->call_from_thread([&] {
        trace.push_back("a");
        reactor->call_from_thread([&] {
            trace.push_back("c");
            reactor->stop();
        });
    });
    reactor->call_from_thread([&] { trace.push_back("b"); });
    run_guarded(*reactor);
    BOOST_TEST(trace == (Trace{"a", "b", "c"}), boost::test_tools::per_element());
}

// ---- run / stop ---------------------------------------------------------------------------

REACTOR_TEST(stop_when_not_running_throws_reactor_not_running) {
    auto reactor = factory.make();
    BOOST_CHECK_THROW(reactor->stop(), ReactorNotRunning);
    reactor->call_soon([&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_CHECK_THROW(reactor->stop(), ReactorNotRunning);
}

REACTOR_TEST(stopping_twice_throws_reactor_not_running) {
    auto reactor = factory.make();
    reactor->call_soon([&] {
        reactor->stop();
        BOOST_CHECK_THROW(reactor->stop(), ReactorNotRunning);
    });
    run_guarded(*reactor);
}

REACTOR_TEST(run_inside_run_throws_reactor_already_running) {
    auto reactor = factory.make();
    reactor->call_soon([&] {
        BOOST_CHECK_THROW(reactor->run(), ReactorAlreadyRunning);
        reactor->stop();
    });
    run_guarded(*reactor);
}

REACTOR_TEST(running_is_true_only_inside_run) {
    auto reactor = factory.make();
    BOOST_TEST(!reactor->running());
    reactor->call_soon([&] {
        BOOST_TEST(reactor->running());
        reactor->stop();
        BOOST_TEST(reactor->running());  // until run() returns
    });
    run_guarded(*reactor);
    BOOST_TEST(!reactor->running());
}

REACTOR_TEST(a_reactor_can_run_again_after_stop) {
    auto reactor = factory.make();
    int runs = 0;
    for (int i = 0; i < 3; ++i) {
        reactor->call_later(1ms, [&] {
            ++runs;
            reactor->stop();
        });
        run_guarded(*reactor);
    }
    BOOST_TEST(runs == 3);
}

REACTOR_TEST(crash_stops_the_loop_at_once) {
    auto reactor = factory.make();
    reactor->call_soon([&] { reactor->crash(); });
    run_guarded(*reactor);
    BOOST_TEST(!reactor->running());
    reactor->crash();  // not running: nothing happens
}

REACTOR_TEST(exceptions_from_calls_are_logged_and_the_loop_carries_on) {
    auto reactor = factory.make();
    LogCapture logs;
    reactor->call_later(0ms, [] { throw std::runtime_error("boom"); });
    reactor->call_soon([] { throw std::runtime_error("boom"); });
    reactor->call_from_thread([] { throw std::runtime_error("boom"); });
    reactor->call_later(20ms, [&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(logs.count("std::runtime_error: boom") == 3u);
    for (const auto& line : logs.lines) BOOST_TEST((line.level == log::Level::error));
}

// ---- lifetime -----------------------------------------------------------------------------

REACTOR_TEST(destroying_a_reactor_releases_its_pending_calls) {
    auto reactor = factory.make();
    auto token = std::make_shared<int>(0);
    DelayedCall call = reactor->call_later(1s, [token] {});
    reactor->call_soon([token] {});
    reactor->call_from_thread([token] {});
    BOOST_TEST(token.use_count() == 4);
    reactor.reset();
    BOOST_TEST(token.use_count() == 1);
    BOOST_TEST(!call.active());
    BOOST_CHECK_THROW(call.cancel(), AlreadyCancelled);
}

BOOST_AUTO_TEST_SUITE_END()
