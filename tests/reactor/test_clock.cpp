// Clock: Twisted task.Clock semantics (manual time, DelayedCall errors, same-advance calls).

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/clock.hpp"
#include "reactor/errors.hpp"

using namespace std::chrono_literals;
using interloop::AlreadyCalled;
using interloop::AlreadyCancelled;
using interloop::Clock;
using interloop::DelayedCall;
using interloop::Duration;

using Trace = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(manual_clock)

BOOST_AUTO_TEST_CASE(clock_starts_at_zero_and_moves_only_when_advanced) {
    Clock clock;
    BOOST_TEST(clock.seconds() == 0.0);
    clock.advance(1.5s);
    BOOST_TEST(clock.seconds() == 1.5);
    clock.pump({1s, 250ms, 0s});
    BOOST_TEST(clock.seconds() == 2.75);
}

BOOST_AUTO_TEST_CASE(call_later_runs_calls_in_time_order) {
    Clock clock;
    Trace trace;
    clock.call_later(3s, [&] { trace.push_back("3"); });
    clock.call_later(1s, [&] { trace.push_back("1"); });
    clock.call_later(2s, [&] { trace.push_back("2"); });
    clock.advance(10s);
    BOOST_TEST(trace == (Trace{"1", "2", "3"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(calls_due_at_the_same_time_run_in_insertion_order) {
    Clock clock;
    Trace trace;
    for (const char* name : {"a", "b", "c", "d"})
        clock.call_later(1s, [&, name] { trace.push_back(name); });
    clock.advance(1s);
    BOOST_TEST(trace == (Trace{"a", "b", "c", "d"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_call_does_not_run_before_its_time) {
    Clock clock;
    bool ran = false;
    DelayedCall call = clock.call_later(1s, [&] { ran = true; });
    BOOST_TEST(call.time() == 1.0);
    clock.advance(999ms);
    BOOST_TEST(!ran);
    clock.advance(1ms);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(advance_zero_runs_zero_delay_calls) {
    Clock clock;
    bool ran = false;
    clock.call_later(0s, [&] { ran = true; });
    BOOST_TEST(!ran);
    clock.advance(0s);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(negative_delay_counts_as_zero) {
    Clock clock;
    clock.advance(5s);
    bool ran = false;
    DelayedCall call = clock.call_later(-3s, [&] { ran = true; });
    BOOST_TEST(call.time() == 5.0);
    clock.advance(0s);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(call_soon_runs_on_the_next_advance_not_inline) {
    Clock clock;
    Trace trace;
    clock.call_soon([&] { trace.push_back("soon"); });
    BOOST_TEST(trace.empty());
    BOOST_TEST(clock.pending_calls().size() == 1u);
    clock.advance(0s);
    BOOST_TEST(trace == Trace{"soon"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(calls_scheduled_during_advance_that_are_due_run_in_the_same_advance) {
    Clock clock;
    Trace trace;
    clock.call_later(1s, [&] {
        trace.push_back("outer");
        clock.call_later(0s, [&] { trace.push_back("zero"); });
        clock.call_soon([&] { trace.push_back("soon"); });
        clock.call_later(1s, [&] { trace.push_back("due at 2"); });
    });
    clock.advance(1s);
    BOOST_TEST(trace == (Trace{"outer", "zero", "soon"}), boost::test_tools::per_element());
    clock.advance(1s);
    BOOST_TEST(trace.back() == "due at 2");
}

BOOST_AUTO_TEST_CASE(advance_sets_the_new_time_before_running_calls) {
    Clock clock;
    double seen = -1;
    clock.call_later(1s, [&] { seen = clock.seconds(); });
    clock.advance(3s);
    BOOST_TEST(seen == 3.0);
}

BOOST_AUTO_TEST_CASE(cancel_prevents_the_call_and_deactivates_it) {
    Clock clock;
    bool ran = false;
    DelayedCall call = clock.call_later(1s, [&] { ran = true; });
    BOOST_TEST(call.active());
    call.cancel();
    BOOST_TEST(!call.active());
    clock.advance(2s);
    BOOST_TEST(!ran);
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(cancelling_twice_throws_already_cancelled) {
    Clock clock;
    DelayedCall call = clock.call_later(1s, [] {});
    call.cancel();
    BOOST_CHECK_THROW(call.cancel(), AlreadyCancelled);
    BOOST_CHECK_THROW(call.reset(1s), AlreadyCancelled);
    BOOST_CHECK_THROW(call.delay(1s), AlreadyCancelled);
}

BOOST_AUTO_TEST_CASE(changing_a_call_that_ran_throws_already_called) {
    Clock clock;
    DelayedCall call = clock.call_later(1s, [] {});
    clock.advance(1s);
    BOOST_TEST(!call.active());
    BOOST_CHECK_THROW(call.cancel(), AlreadyCalled);
    BOOST_CHECK_THROW(call.reset(1s), AlreadyCalled);
    BOOST_CHECK_THROW(call.delay(1s), AlreadyCalled);
}

BOOST_AUTO_TEST_CASE(cancel_from_inside_the_call_throws_already_called) {
    Clock clock;
    DelayedCall call;
    bool threw = false;
    call = clock.call_later(1s, [&] {
        BOOST_TEST(!call.active());
        try {
            call.cancel();
        } catch (const AlreadyCalled&) {
            threw = true;
        }
    });
    clock.advance(1s);
    BOOST_TEST(threw);
}

BOOST_AUTO_TEST_CASE(a_call_may_cancel_another_call_due_in_the_same_advance) {
    Clock clock;
    Trace trace;
    DelayedCall second;
    clock.call_later(1s, [&] {
        trace.push_back("first");
        second.cancel();
    });
    second = clock.call_later(1s, [&] { trace.push_back("second"); });
    clock.advance(1s);
    BOOST_TEST(trace == Trace{"first"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reset_moves_the_call_relative_to_now) {
    Clock clock;
    bool ran = false;
    DelayedCall call = clock.call_later(10s, [&] { ran = true; });
    clock.advance(2s);
    call.reset(1s);
    BOOST_TEST(call.time() == 3.0);
    clock.advance(1s);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(reset_can_postpone_a_call) {
    Clock clock;
    bool ran = false;
    DelayedCall call = clock.call_later(1s, [&] { ran = true; });
    call.reset(5s);
    clock.advance(4s);
    BOOST_TEST(!ran);
    clock.advance(1s);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(delay_pushes_the_call_later_than_scheduled) {
    Clock clock;
    bool ran = false;
    DelayedCall call = clock.call_later(1s, [&] { ran = true; });
    clock.advance(500ms);
    call.delay(2s);
    BOOST_TEST(call.time() == 3.0);
    clock.advance(2s);
    BOOST_TEST(!ran);
    clock.advance(500ms);
    BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(pending_calls_lists_the_active_calls_sorted_by_time) {
    Clock clock;
    DelayedCall c3 = clock.call_later(3s, [] {});
    DelayedCall c1 = clock.call_later(1s, [] {});
    DelayedCall c2 = clock.call_later(2s, [] {});
    DelayedCall gone = clock.call_later(1500ms, [] {});
    gone.cancel();
    std::vector<DelayedCall> pending = clock.pending_calls();
    BOOST_REQUIRE(pending.size() == 3u);
    BOOST_TEST(pending[0].time() == 1.0);
    BOOST_TEST(pending[1].time() == 2.0);
    BOOST_TEST(pending[2].time() == 3.0);
    pending[0].cancel();  // a handle from pending_calls controls the same call
    BOOST_TEST(!c1.active());
    clock.advance(3s);
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(exceptions_from_calls_propagate_out_of_advance) {
    Clock clock;
    bool later_ran = false;
    clock.call_later(1s, [] { throw std::runtime_error("boom"); });
    clock.call_later(1s, [&] { later_ran = true; });
    BOOST_CHECK_THROW(clock.advance(1s), std::runtime_error);
    BOOST_TEST(!later_ran);
    clock.advance(0s);  // the remaining due call runs on the next advance
    BOOST_TEST(later_ran);
}

BOOST_AUTO_TEST_CASE(advance_rejects_a_negative_step) {
    Clock clock;
    BOOST_CHECK_THROW(clock.advance(-1s), std::invalid_argument);
    BOOST_TEST(clock.seconds() == 0.0);
}

BOOST_AUTO_TEST_CASE(a_call_runs_once_and_then_releases_its_function) {
    Clock clock;
    auto token = std::make_shared<int>(0);
    int runs = 0;
    DelayedCall call = clock.call_later(1s, [&runs, token] { ++runs; });
    clock.advance(1s);
    clock.advance(1s);
    BOOST_TEST(runs == 1);
    BOOST_TEST(token.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(delayed_call_handle_outlives_the_clock) {
    DelayedCall call;
    {
        Clock clock;
        call = clock.call_later(1s, [] {});
    }
    BOOST_TEST(!call.active());
    BOOST_TEST(call.time() == 1.0);
    BOOST_CHECK_THROW(call.cancel(), AlreadyCancelled);
}

BOOST_AUTO_TEST_CASE(default_constructed_delayed_call_is_never_active) {
    DelayedCall call;
    BOOST_TEST(!call.active());
    BOOST_CHECK_THROW(call.cancel(), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
