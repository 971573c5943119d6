// add_timeout and defer_later on the manual Clock (Twisted's addTimeout and deferLater tests).
#include "reactor/timeout.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "reactor/clock.hpp"
#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("user error") {}
};
}  // namespace

BOOST_AUTO_TEST_SUITE(add_timeout_tests)

BOOST_AUTO_TEST_CASE(a_deferred_that_does_not_fire_in_time_fails_with_timeout_error) {
    Clock clock;
    Deferred<int> d;
    add_timeout(d, 10s, clock);
    clock.advance(9s);
    BOOST_TEST(has_no_result(d));
    clock.advance(1s);
    Failure f = failure_result_of(d);
    BOOST_TEST(f.check<TimeoutError>());
    BOOST_CHECK_THROW(f.raise(), TimeoutError);
    try {
        f.raise();
    } catch (const TimeoutError& e) {
        BOOST_TEST(e.seconds() == 10.0);
    }
}

BOOST_AUTO_TEST_CASE(a_value_before_the_timeout_passes_through_and_cancels_the_delayed_call) {
    Clock clock;
    Deferred<int> d;
    add_timeout(d, 10s, clock);
    BOOST_TEST(clock.pending_calls().size() == 1u);
    clock.advance(5s);
    d.callback(3);
    BOOST_TEST(clock.pending_calls().empty());
    BOOST_TEST(success_result_of(d) == 3);
}

BOOST_AUTO_TEST_CASE(a_failure_before_the_timeout_passes_through_unchanged) {
    Clock clock;
    Deferred<int> d;
    add_timeout(d, 10s, clock);
    d.errback(Failure::from(UserError()));
    BOOST_TEST(clock.pending_calls().empty());
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(a_manual_cancel_before_the_timeout_keeps_the_plain_cancelled_error) {
    Clock clock;
    Deferred<int> d;
    bool translated = false;
    add_timeout(d, 10s, clock, [&](Outcome<int> r, Duration) {
        translated = true;
        return r;
    });
    d.cancel();
    Failure f = failure_result_of(d);
    BOOST_TEST(f.check<CancelledError>());
    BOOST_TEST(!f.check<TimeoutError>());
    BOOST_TEST(!translated);
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(the_translator_sees_the_result_and_the_timeout_and_decides_the_outcome) {
    Clock clock;
    Deferred<std::string> d;
    double seen_timeout = 0;
    bool saw_cancelled = false;
    add_timeout(d, 2500ms, clock, [&](Outcome<std::string> r, Duration timeout) {
        seen_timeout = timeout.count();
        saw_cancelled = !r.has_value() && r.failure().check<CancelledError>();
        return std::string("fallback");
    });
    clock.advance(2500ms);
    BOOST_TEST(seen_timeout == 2.5);
    BOOST_TEST(saw_cancelled);
    BOOST_TEST(success_result_of(d) == "fallback");
}

BOOST_AUTO_TEST_CASE(a_translator_may_fail_with_its_own_error) {
    Clock clock;
    Deferred<int> d;
    add_timeout(d, 1s, clock,
                [](Outcome<int>, Duration) -> Outcome<int> { return Failure::from(UserError()); });
    clock.advance(1s);
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(a_canceller_that_fires_a_value_on_timeout_keeps_that_value) {
    Clock clock;
    Deferred<int> d([](Deferred<int>& self) { self.callback(42); });
    add_timeout(d, 1s, clock);
    clock.advance(1s);
    BOOST_TEST(success_result_of(d) == 42);
}

BOOST_AUTO_TEST_CASE(a_canceller_that_fails_with_its_own_error_on_timeout_keeps_that_error) {
    Clock clock;
    Deferred<int> d([](Deferred<int>& self) { self.errback(Failure::from(UserError())); });
    add_timeout(d, 1s, clock);
    clock.advance(1s);
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(callbacks_added_before_see_cancelled_error_and_later_ones_timeout_error) {
    Clock clock;
    Deferred<int> d;
    bool before_saw_cancelled = false;
    d.add_errback([&](const Failure& f) -> Failure {
        before_saw_cancelled = f.check<CancelledError>();
        return f;
    });
    add_timeout(d, 1s, clock);
    bool after_saw_timeout = false;
    d.add_errback([&](const Failure& f) {
        after_saw_timeout = f.check<TimeoutError>();
        return 0;
    });
    clock.advance(1s);
    BOOST_TEST(before_saw_cancelled);
    BOOST_TEST(after_saw_timeout);
    BOOST_TEST(success_result_of(d) == 0);
}

BOOST_AUTO_TEST_CASE(add_timeout_on_a_fired_deferred_leaves_nothing_on_the_clock) {
    Clock clock;
    Deferred<int> d = add_timeout(succeed(5), 1s, clock);
    BOOST_TEST(clock.pending_calls().empty());
    BOOST_TEST(success_result_of(d) == 5);
}

BOOST_AUTO_TEST_CASE(the_timeout_cancels_the_inner_deferred_a_chain_waits_on) {
    Clock clock;
    bool inner_cancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { inner_cancelled = true; });
    Deferred<int> outer;
    outer.add_callback([&](int) { return inner; });
    outer.callback(0);
    add_timeout(outer, 1s, clock);
    clock.advance(1s);
    BOOST_TEST(inner_cancelled);
    BOOST_TEST(failure_result_of(outer).check<TimeoutError>());
}

BOOST_AUTO_TEST_CASE(add_timeout_works_on_void_deferreds) {
    Clock clock;
    Deferred<void> late;
    Deferred<void> early;
    add_timeout(late, 1s, clock);
    add_timeout(early, 1s, clock);
    early.callback();
    clock.advance(1s);
    BOOST_TEST(failure_result_of(late).check<TimeoutError>());
    BOOST_CHECK_NO_THROW(success_result_of(early));
}

BOOST_AUTO_TEST_CASE(values_that_pass_through_add_timeout_are_neither_leaked_nor_copied_twice) {
    Counted::reset_counts();
    {
        Clock clock;
        Deferred<Counted> d;
        add_timeout(d, 1s, clock);
        d.callback(Counted(7));
        BOOST_TEST(success_result_of(d).value == 7);
        Deferred<Counted> never;
        add_timeout(never, 1s, clock);
        clock.advance(1s);
        (void)failure_result_of(never);
    }
    BOOST_TEST(Counted::alive() == 0);
}

BOOST_AUTO_TEST_CASE(an_abandoned_deferred_with_a_timeout_is_released_when_the_clock_goes) {
    LogCapture log;
    auto token = std::make_shared<int>(0);
    {
        Clock clock;
        Deferred<int> d([token](Deferred<int>&) {});
        add_timeout(d, 1s, clock);
    }
    BOOST_TEST(token.use_count() == 1);
    // Nobody could fire it any more: its waiters got DroppedDeferredError, left unhandled.
    BOOST_TEST(log.count("DroppedDeferredError") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(defer_later_tests)

BOOST_AUTO_TEST_CASE(defer_later_runs_the_function_after_the_delay_and_fires_with_its_result) {
    Clock clock;
    int calls = 0;
    Deferred<int> d = defer_later(clock, 3s, [&] { return ++calls * 10; });
    clock.advance(2s);
    BOOST_TEST(calls == 0);
    BOOST_TEST(has_no_result(d));
    clock.advance(1s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(success_result_of(d) == 10);
}

BOOST_AUTO_TEST_CASE(defer_later_without_a_function_fires_after_the_delay) {
    Clock clock;
    Deferred<void> d = defer_later(clock, 500ms);
    clock.advance(499ms);
    BOOST_TEST(has_no_result(d));
    clock.advance(1ms);
    BOOST_CHECK_NO_THROW(success_result_of(d));
}

BOOST_AUTO_TEST_CASE(an_exception_from_the_function_becomes_the_failure) {
    Clock clock;
    Deferred<int> d = defer_later(clock, 1s, []() -> int { throw UserError(); });
    BOOST_CHECK_NO_THROW(clock.advance(1s));  // it does not escape from the clock
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(a_deferred_returned_by_the_function_is_chained) {
    Clock clock;
    Deferred<int> inner;
    Deferred<int> d = defer_later(clock, 1s, [&] { return inner; });
    clock.advance(1s);
    BOOST_TEST(has_no_result(d));
    inner.callback(9);
    BOOST_TEST(success_result_of(d) == 9);
}

BOOST_AUTO_TEST_CASE(an_outcome_returned_by_the_function_sets_value_or_failure) {
    Clock clock;
    Deferred<int> ok = defer_later(clock, 1s, [] { return Outcome<int>(4); });
    Deferred<int> bad =
        defer_later(clock, 1s, [] { return Outcome<int>(Failure::from(UserError())); });
    clock.advance(1s);
    BOOST_TEST(success_result_of(ok) == 4);
    BOOST_TEST(failure_result_of(bad).check<UserError>());
}

BOOST_AUTO_TEST_CASE(cancelling_before_the_delay_fails_with_cancelled_error_and_never_calls) {
    Clock clock;
    bool called = false;
    Deferred<int> d = defer_later(clock, 1s, [&] {
        called = true;
        return 1;
    });
    BOOST_TEST(clock.pending_calls().size() == 1u);
    d.cancel();
    BOOST_TEST(failure_result_of(d).check<CancelledError>());
    BOOST_TEST(clock.pending_calls().empty());
    clock.advance(5s);
    BOOST_TEST(!called);
}

BOOST_AUTO_TEST_CASE(cancelling_after_the_delay_cancels_the_deferred_the_function_returned) {
    Clock clock;
    bool inner_cancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { inner_cancelled = true; });
    Deferred<int> d = defer_later(clock, 1s, [&] { return inner; });
    clock.advance(1s);
    d.cancel();
    BOOST_TEST(inner_cancelled);
    BOOST_TEST(failure_result_of(d).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(defer_later_with_add_timeout_times_out_before_the_function_runs) {
    Clock clock;
    bool called = false;
    Deferred<void> d = add_timeout(defer_later(clock, 5s, [&] { called = true; }), 1s, clock);
    clock.advance(1s);
    BOOST_TEST(failure_result_of(d).check<TimeoutError>());
    BOOST_TEST(clock.pending_calls().empty());
    clock.advance(10s);
    BOOST_TEST(!called);
}

BOOST_AUTO_TEST_CASE(defer_later_neither_leaks_nor_double_destroys_its_result_or_captures) {
    Counted::reset_counts();
    {
        Clock clock;
        Deferred<Counted> d =
            defer_later(clock, 1s, [c = Counted(1)] { return Counted(c.value + 1); });
        Deferred<Counted> cancelled = defer_later(clock, 1s, [c = Counted(5)] { return c; });
        cancelled.cancel();
        clock.advance(1s);
        BOOST_TEST(success_result_of(d).value == 2);
        (void)failure_result_of(cancelled);
    }
    BOOST_TEST(Counted::alive() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
