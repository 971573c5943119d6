// Graceful shutdown on every real reactor: shutdown triggers, SIGINT/SIGTERM, react().

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <stdexcept>

#include "reactor/deferred.hpp"
#include "reactor/errors.hpp"
#include "reactor/react.hpp"
#include "tests/reactor/reactor_factories.hpp"
#include "tests/reactor/reactor_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::testing;

#define REACTOR_TEST(name) \
    BOOST_DATA_TEST_CASE(name, boost::unit_test::data::make(reactor_factories()), factory)

BOOST_AUTO_TEST_SUITE(reactor_shutdown)

// ---- shutdown triggers --------------------------------------------------------------------

REACTOR_TEST(graceful_stop_waits_for_a_shutdown_triggers_deferred) {
    auto reactor = factory.make();
    ReactorBase& base = base_of(*reactor);
    Deferred<void> done;
    int trigger_calls = 0;
    bool ran_while_stopping = false;
    base.add_shutdown_trigger([&] {
        ++trigger_calls;
        return done;
    });
    reactor->call_soon([&] {
        reactor->stop();
        BOOST_TEST(trigger_calls == 1);  // called by stop() itself
        BOOST_TEST(base.stopping());
        reactor->call_later(10ms, [&] {
            ran_while_stopping = true;
            done.callback();
        });
    });
    run_guarded(*reactor);
    BOOST_TEST(ran_while_stopping);
    BOOST_TEST(!reactor->running());
}

REACTOR_TEST(graceful_stop_waits_for_every_trigger) {
    auto reactor = factory.make();
    ReactorBase& base = base_of(*reactor);
    Deferred<void> first, second;
    int fired = 0;
    base.add_shutdown_trigger([&] { return first; });
    base.add_shutdown_trigger([&] { return second; });
    reactor->call_soon([&] {
        reactor->stop();
        reactor->call_later(5ms, [&] {
            ++fired;
            second.callback();
        });
        reactor->call_later(10ms, [&] {
            ++fired;
            first.callback();
        });
    });
    run_guarded(*reactor);
    BOOST_TEST(fired == 2);
}

REACTOR_TEST(failing_triggers_are_logged_and_do_not_block_the_stop) {
    auto reactor = factory.make();
    ReactorBase& base = base_of(*reactor);
    LogCapture logs;
    base.add_shutdown_trigger([] { return fail(std::runtime_error("trigger broke")); });
    base.add_shutdown_trigger(
        []() -> Deferred<void> { throw std::runtime_error("trigger threw"); });
    reactor->call_soon([&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(logs.count("std::runtime_error: trigger broke") == 1u);
    BOOST_TEST(logs.count("std::runtime_error: trigger threw") == 1u);
}

REACTOR_TEST(a_removed_trigger_is_not_called) {
    auto reactor = factory.make();
    ReactorBase& base = base_of(*reactor);
    bool called = false;
    auto id = base.add_shutdown_trigger([&] {
        called = true;
        return succeed();
    });
    BOOST_TEST(base.remove_shutdown_trigger(id));
    BOOST_TEST(!base.remove_shutdown_trigger(id));
    reactor->call_soon([&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(!called);
}

REACTOR_TEST(crash_does_not_wait_and_a_late_trigger_does_not_stop_a_later_run) {
    auto reactor = factory.make();
    ReactorBase& base = base_of(*reactor);
    Deferred<void> done;
    int trigger_calls = 0;
    base.add_shutdown_trigger([&] {
        ++trigger_calls;
        return done;
    });
    reactor->call_soon([&] {
        reactor->stop();
        reactor->crash();
    });
    run_guarded(*reactor);
    BOOST_TEST(trigger_calls == 1);

    bool still_running_after_late_fire = false;
    reactor->call_soon([&] {
        done.callback();  // belongs to the crashed stop: must not end this run
        reactor->call_later(10ms, [&] {
            still_running_after_late_fire = true;
            reactor->stop();  // triggers persist: called again, already fired
        });
    });
    run_guarded(*reactor);
    BOOST_TEST(still_running_after_late_fire);
    BOOST_TEST(trigger_calls == 2);
}

// ---- signals ------------------------------------------------------------------------------

REACTOR_TEST(sigint_stops_gracefully_and_a_second_sigint_forces_the_stop) {
    auto reactor = factory.make();
    ReactorBase& base = base_of(*reactor);
    LogCapture logs;
    Deferred<void> never;
    int trigger_calls = 0;
    bool checked_between = false;
    base.add_shutdown_trigger([&] {
        ++trigger_calls;
        return never;
    });
    reactor->install_signal_handlers();
    reactor->call_later(1ms, [&] {
        std::raise(SIGINT);
        reactor->call_later(20ms, [&] {
            checked_between = true;
            BOOST_TEST(base.stopping());
            BOOST_TEST(trigger_calls == 1);
            std::raise(SIGINT);
        });
    });
    run_guarded(*reactor);
    BOOST_TEST(checked_between);
    BOOST_TEST(trigger_calls == 1);
    BOOST_TEST(!never.called());
    BOOST_TEST(logs.count("Received SIGINT, shutting down gracefully") == 1u);
    BOOST_TEST(logs.count("forcing unclean shutdown") == 1u);
    never.callback();  // after the forced stop: harmless
}

REACTOR_TEST(sigterm_stops_the_loop_gracefully) {
    auto reactor = factory.make();
    LogCapture logs;
    reactor->install_signal_handlers();
    reactor->install_signal_handlers();  // idempotent
    reactor->call_later(1ms, [] { std::raise(SIGTERM); });
    run_guarded(*reactor);
    BOOST_TEST(!reactor->running());
    BOOST_TEST(logs.count("Received SIGTERM") == 1u);
}

// ---- react --------------------------------------------------------------------------------

REACTOR_TEST(react_returns_zero_when_mains_deferred_succeeds) {
    auto reactor = factory.make();
    Watchdog watchdog(*reactor);
    bool was_running = false;
    const int code = react(*reactor, [&](Reactor& r) {
        was_running = r.running();
        Deferred<void> d;
        r.call_later(5ms, [d]() mutable { d.callback(); });
        return d;
    });
    BOOST_TEST(code == 0);
    BOOST_TEST(was_running);
    BOOST_TEST(!reactor->running());
}

REACTOR_TEST(react_returns_one_and_logs_the_failure_when_main_fails) {
    auto reactor = factory.make();
    Watchdog watchdog(*reactor);
    LogCapture logs;
    const int code =
        react(*reactor, [](Reactor&) { return fail(std::runtime_error("main broke")); });
    BOOST_TEST(code == 1);
    BOOST_TEST(logs.count("std::runtime_error: main broke") == 1u);
}

REACTOR_TEST(react_returns_the_code_of_an_exit_code_failure) {
    auto reactor = factory.make();
    Watchdog watchdog(*reactor);
    LogCapture logs;
    BOOST_TEST(react(*reactor, [](Reactor&) { return fail(ExitCode{3}); }) == 3);
    BOOST_TEST(logs.lines.empty());
}

REACTOR_TEST(react_treats_an_exception_thrown_by_main_as_a_failure) {
    auto reactor = factory.make();
    Watchdog watchdog(*reactor);
    LogCapture logs;
    BOOST_TEST(react(*reactor, [](Reactor&) -> Deferred<void> { throw ExitCode{4}; }) == 4);
    BOOST_TEST(react(*reactor, [](Reactor&) -> Deferred<void> {
                   throw std::runtime_error("main threw");
               }) == 1);
    BOOST_TEST(logs.count("main threw") == 1u);
}

REACTOR_TEST(react_returns_zero_when_the_reactor_is_stopped_externally) {
    auto reactor = factory.make();
    Watchdog watchdog(*reactor);
    Deferred<void> pending;
    const int code = react(*reactor, [&](Reactor& r) {
        r.call_later(5ms, [&r] { r.stop(); });
        return pending;
    });
    BOOST_TEST(code == 0);
    pending.callback();  // after react returned: ignored
}

REACTOR_TEST(react_on_a_running_reactor_throws_reactor_already_running) {
    auto reactor = factory.make();
    reactor->call_soon([&] {
        BOOST_CHECK_THROW(react(*reactor, [](Reactor&) { return succeed(); }),
                          ReactorAlreadyRunning);
        reactor->stop();
    });
    run_guarded(*reactor);
}

BOOST_AUTO_TEST_SUITE_END()
