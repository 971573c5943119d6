// LoopingCall on the manual Clock (Twisted's test_task.py LoopingCall tests, in our words).
#include "reactor/looping_call.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <vector>

#include "reactor/clock.hpp"
#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("user error") {}
};
using Times = std::vector<double>;
}  // namespace

BOOST_AUTO_TEST_SUITE(looping_call)

BOOST_AUTO_TEST_CASE(a_loop_started_now_calls_at_once_and_then_every_interval) {
    Clock clock;
    Times times;
    LoopingCall lc(clock, [&] { times.push_back(clock.seconds()); });
    Deferred<void> d = lc.start(1s);
    BOOST_TEST(lc.running());
    BOOST_TEST(lc.interval().count() == 1.0);
    BOOST_TEST(times == (Times{0}), boost::test_tools::per_element());
    clock.pump({500ms, 500ms, 1s, 1s});
    BOOST_TEST(times == (Times{0, 1, 2, 3}), boost::test_tools::per_element());
    lc.stop();
    BOOST_CHECK_NO_THROW(success_result_of(d));
}

BOOST_AUTO_TEST_CASE(a_loop_started_later_waits_one_interval_for_its_first_call) {
    Clock clock;
    Times times;
    LoopingCall lc(clock, [&] { times.push_back(clock.seconds()); });
    lc.start(2s, false);
    BOOST_TEST(times.empty());
    clock.advance(1s);
    BOOST_TEST(times.empty());
    clock.advance(1s);
    BOOST_TEST(times == (Times{2}), boost::test_tools::per_element());
    lc.stop();
}

BOOST_AUTO_TEST_CASE(a_negative_interval_is_rejected_and_the_loop_does_not_start) {
    Clock clock;
    LoopingCall lc(clock, [] {});
    BOOST_CHECK_THROW(lc.start(-1s), std::invalid_argument);
    BOOST_TEST(!lc.running());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(starting_a_running_loop_throws_logic_error) {
    Clock clock;
    LoopingCall lc(clock, [] {});
    lc.start(1s);
    BOOST_CHECK_THROW(lc.start(1s), std::logic_error);
    lc.stop();
}

BOOST_AUTO_TEST_CASE(stop_cancels_the_scheduled_call_and_fires_the_loop_deferred_at_once) {
    Clock clock;
    int calls = 0;
    LoopingCall lc(clock, [&] { ++calls; });
    Deferred<void> d = lc.start(1s);
    BOOST_TEST(has_no_result(d));
    lc.stop();
    BOOST_TEST(!lc.running());
    BOOST_CHECK_NO_THROW(success_result_of(d));
    BOOST_TEST(clock.pending_calls().empty());
    clock.advance(10s);
    BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(stopping_from_inside_the_function_fires_the_loop_deferred_when_it_returns) {
    Clock clock;
    int calls = 0;
    std::optional<LoopingCall> lc;
    lc.emplace(clock, [&] {
        if (++calls == 3) lc->stop();
    });
    Deferred<void> d = lc->start(0s);
    clock.advance(0s);  // interval 0: each call schedules the next at the current time
    BOOST_TEST(calls == 3);
    BOOST_CHECK_NO_THROW(success_result_of(d));
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(stop_and_reset_on_a_loop_that_is_not_running_throw_logic_error) {
    Clock clock;
    LoopingCall lc(clock, [] {});
    BOOST_CHECK_THROW(lc.stop(), std::logic_error);
    BOOST_CHECK_THROW(lc.reset(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(an_exception_from_the_function_fails_the_loop_and_stops_it) {
    Clock clock;
    int calls = 0;
    LoopingCall lc(clock, [&] {
        if (++calls == 2) throw UserError();
    });
    Deferred<void> d = lc.start(1s);
    clock.advance(1s);
    BOOST_TEST(failure_result_of(d).check<UserError>());
    BOOST_TEST(!lc.running());
    BOOST_TEST(clock.pending_calls().empty());
    clock.advance(5s);
    BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(a_failure_in_the_first_call_is_already_in_the_returned_deferred) {
    Clock clock;
    LoopingCall lc(clock, [] { throw UserError(); });
    Deferred<void> d = lc.start(1s);
    BOOST_TEST(failure_result_of(d).check<UserError>());
    BOOST_TEST(!lc.running());
}

BOOST_AUTO_TEST_CASE(the_next_call_waits_for_the_deferred_the_function_returned) {
    Clock clock;
    Times times;
    std::vector<Deferred<void>> pending;
    LoopingCall lc(clock, [&] {
        times.push_back(clock.seconds());
        return pending.emplace_back();
    });
    lc.start(1s);
    clock.advance(3s);
    BOOST_TEST(times == (Times{0}), boost::test_tools::per_element());
    BOOST_TEST(clock.pending_calls().empty());
    pending.back().callback();  // fired at t=3: the next aligned time is t=4
    clock.advance(500ms);
    BOOST_TEST(times.size() == 1u);
    clock.advance(500ms);
    BOOST_TEST(times == (Times{0, 4}), boost::test_tools::per_element());
    lc.stop();
    pending.back().callback();
}

BOOST_AUTO_TEST_CASE(a_failed_deferred_from_the_function_fails_the_loop) {
    Clock clock;
    Deferred<void> inner;
    LoopingCall lc(clock, [&] { return inner; });
    Deferred<void> d = lc.start(1s);
    inner.errback(Failure::from(UserError()));
    BOOST_TEST(failure_result_of(d).check<UserError>());
    BOOST_TEST(!lc.running());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(missed_intervals_are_skipped_not_made_up) {
    Clock clock;
    Times times;
    LoopingCall lc(clock, [&] { times.push_back(clock.seconds()); });
    lc.start(2s);
    clock.advance(5s);  // due at 2 and 4: runs once, late
    BOOST_TEST(times == (Times{0, 5}), boost::test_tools::per_element());
    clock.advance(1s);  // back on the grid at 6
    BOOST_TEST(times == (Times{0, 5, 6}), boost::test_tools::per_element());
    lc.stop();
}

BOOST_AUTO_TEST_CASE(a_deferred_that_fires_exactly_on_the_grid_waits_a_whole_interval) {
    Clock clock;
    Times times;
    Deferred<void> slow;
    bool first = true;
    LoopingCall lc(clock, [&]() -> Deferred<void> {
        times.push_back(clock.seconds());
        if (!std::exchange(first, false)) return succeed();
        return slow;
    });
    lc.start(2s);
    clock.advance(2s);
    slow.callback();  // at t=2, a grid point: the next call is at 4, not now
    BOOST_TEST(times == (Times{0}), boost::test_tools::per_element());
    clock.advance(2s);
    BOOST_TEST(times == (Times{0, 4}), boost::test_tools::per_element());
    lc.stop();
}

BOOST_AUTO_TEST_CASE(stop_while_the_functions_deferred_is_outstanding_waits_for_it) {
    Clock clock;
    bool cancelled = false;
    Deferred<void> inner([&](Deferred<void>&) { cancelled = true; });
    LoopingCall lc(clock, [&] { return inner; });
    Deferred<void> d = lc.start(1s);
    lc.stop();
    BOOST_TEST(!lc.running());
    BOOST_TEST(has_no_result(d));
    BOOST_TEST(!cancelled);  // stop() does not cancel it (as in Twisted)
    inner.callback();
    BOOST_CHECK_NO_THROW(success_result_of(d));
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_stopped_loop_can_be_started_again) {
    Clock clock;
    int calls = 0;
    LoopingCall lc(clock, [&] { ++calls; });
    lc.start(1s);
    lc.stop();
    Deferred<void> again = lc.start(1s);
    clock.advance(1s);
    BOOST_TEST(calls == 3);
    lc.stop();
    BOOST_CHECK_NO_THROW(success_result_of(again));
}

BOOST_AUTO_TEST_CASE(restarting_while_the_last_deferred_is_outstanding_throws_logic_error) {
    Clock clock;
    Deferred<void> inner;
    LoopingCall lc(clock, [&] { return inner; });
    Deferred<void> d = lc.start(1s);
    lc.stop();
    BOOST_CHECK_THROW(lc.start(1s), std::logic_error);
    inner.callback();
    BOOST_CHECK_NO_THROW(success_result_of(d));
}

BOOST_AUTO_TEST_CASE(the_loop_deferred_callbacks_may_restart_the_loop) {
    Clock clock;
    int calls = 0;
    LoopingCall lc(clock, [&] { ++calls; });
    Deferred<void> d = lc.start(1s);
    d.add_callback([&] { lc.start(1s, false); });
    lc.stop();
    BOOST_TEST(lc.running());
    clock.advance(1s);
    BOOST_TEST(calls == 2);
    lc.stop();
}

BOOST_AUTO_TEST_CASE(reset_restarts_the_timing_from_now) {
    Clock clock;
    int calls = 0;
    LoopingCall lc(clock, [&] { ++calls; });
    lc.start(2s, false);
    clock.advance(1s);
    lc.reset();
    clock.advance(1s);
    BOOST_TEST(calls == 0);
    clock.advance(1s);
    BOOST_TEST(calls == 1);
    lc.stop();
}

BOOST_AUTO_TEST_CASE(an_interval_of_zero_calls_on_every_turn_of_the_clock) {
    Clock clock;
    int calls = 0;
    LoopingCall lc(clock, [&] { ++calls; });
    lc.start(0s);
    BOOST_TEST(calls == 1);
    BOOST_TEST(clock.pending_calls().size() == 1u);
    BOOST_TEST(clock.pending_calls().front().time() == 0.0);
    lc.stop();
}

BOOST_AUTO_TEST_CASE(with_count_passes_the_number_of_intervals_that_elapsed) {
    Clock clock;
    std::vector<std::size_t> counts;
    auto lc = LoopingCall::with_count(clock, [&](std::size_t n) { counts.push_back(n); });
    lc.start(500ms);
    clock.advance(2500ms);  // due at 0.5, runs at 2.5: five intervals
    clock.advance(500ms);
    BOOST_TEST(counts == (std::vector<std::size_t>{1, 5, 1}), boost::test_tools::per_element());
    lc.stop();
}

BOOST_AUTO_TEST_CASE(with_count_does_not_count_an_interval_that_has_not_ended) {
    Clock clock;
    std::vector<std::pair<double, std::size_t>> calls;
    auto lc = LoopingCall::with_count(
        clock, [&](std::size_t n) { calls.emplace_back(clock.seconds(), n); });
    lc.start(500ms);
    clock.advance(875ms);  // 1.75 intervals after the first call: still one interval
    clock.advance(125ms);  // back on the grid
    using Calls = std::vector<std::pair<double, std::size_t>>;
    BOOST_TEST((calls == Calls{{0.0, 1}, {0.875, 1}, {1.0, 1}}));
    lc.stop();
}

BOOST_AUTO_TEST_CASE(with_count_passes_one_when_the_interval_is_zero) {
    Clock clock;
    std::vector<std::size_t> counts;
    std::optional<LoopingCall> lc;
    lc.emplace(LoopingCall::with_count(clock, [&](std::size_t n) {
        counts.push_back(n);
        if (counts.size() == 5) lc->stop();
    }));
    Deferred<void> d = lc->start(0s, false);
    clock.advance(0s);
    BOOST_TEST(counts == (std::vector<std::size_t>(5, 1)), boost::test_tools::per_element());
    BOOST_CHECK_NO_THROW(success_result_of(d));
}

BOOST_AUTO_TEST_CASE(with_count_and_interval_zero_waits_for_the_deferred_without_counting_it) {
    Clock clock;
    std::vector<std::size_t> counts;
    Deferred<void> blocker;
    auto lc = LoopingCall::with_count(clock, [&](std::size_t n) -> Deferred<void> {
        counts.push_back(n);
        return counts.size() == 2 ? blocker : succeed();
    });
    lc.start(0s, false);
    clock.advance(0s);
    BOOST_TEST(counts == (std::vector<std::size_t>{1, 1}), boost::test_tools::per_element());
    clock.advance(2s);
    BOOST_TEST(counts.size() == 2u);
    blocker.callback();
    lc.stop();  // the call scheduled by the callback above is cancelled
    BOOST_TEST(counts.size() == 2u);
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(with_count_counts_sum_to_the_elapsed_intervals_despite_rounding) {
    Clock clock;
    std::vector<std::size_t> counts;
    auto lc = LoopingCall::with_count(clock, [&](std::size_t n) { counts.push_back(n); });
    const int intervals = 10;
    const double span = 1.0;
    const double interval = span / intervals;  // 0.1 is not exact in binary
    lc.start(Duration(interval), false);
    for (int i = 0; i < intervals; ++i) clock.advance(Duration(interval));
    double sum = 0;
    for (int i = 0; i < intervals; ++i) sum += interval;
    const double epsilon = span - sum;
    BOOST_TEST(epsilon != 0.0);  // the test needs the rounding to be there
    clock.advance(Duration(epsilon));
    BOOST_TEST(clock.seconds() >= span);
    BOOST_TEST(std::accumulate(counts.begin(), counts.end(), std::size_t{0}) ==
               std::size_t(intervals));
    BOOST_TEST(std::count(counts.begin(), counts.end(), 0u) == 0);
    lc.stop();
}

BOOST_AUTO_TEST_CASE(destroying_a_running_loop_cancels_its_call_and_fires_its_deferred) {
    Clock clock;
    Deferred<void> d;
    {
        LoopingCall lc(clock, [] {});
        d = lc.start(1s);
    }
    BOOST_CHECK_NO_THROW(success_result_of(d));
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_loop_destroyed_while_its_deferred_is_outstanding_ignores_it) {
    Clock clock;
    Deferred<void> inner;
    Deferred<void> d;
    {
        LoopingCall lc(clock, [&] { return inner; });
        d = lc.start(1s);
    }
    BOOST_CHECK_NO_THROW(success_result_of(d));
    inner.callback();  // nothing left to call back
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(the_function_and_its_captures_are_released_with_the_loop) {
    Counted::reset_counts();
    {
        Clock clock;
        LoopingCall lc(clock, [c = Counted(1)] { (void)c.check(); });
        lc.start(1s);
        clock.advance(3s);
        LoopingCall moved(std::move(lc));
        BOOST_TEST(moved.running());
        moved.stop();
    }
    BOOST_TEST(Counted::alive() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
