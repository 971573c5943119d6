// Cooperator, CooperativeTask and coiterate (Twisted's test_cooperator.py, in our words).
#include "reactor/cooperator.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/clock.hpp"
#include "tests/reactor/manual_ticks.hpp"
#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::ManualTicks;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("user error") {}
};
using Trace = std::vector<std::string>;

/// A task that records name1 .. nameN, one per turn, then is done (the turn after the last).
auto steps(Trace& trace, std::string name, int n) {
    return [&trace, name = std::move(name), n, i = 0]() mutable {
        if (i == n) return Step::done();
        trace.push_back(name + std::to_string(++i));
        return Step::more();
    };
}

/// Fails the test unless `d` has failed with an `E`.
template <class E>
void check_fails_with(const Deferred<void>& d) {
    BOOST_TEST(failure_result_of(d).check<E>());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cooperator)

BOOST_AUTO_TEST_CASE(a_task_runs_one_step_per_turn_on_later_ticks_and_then_is_done) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    CooperativeTask task = coop.cooperate(steps(trace, "a", 3));
    Deferred<void> done = task.when_done();
    BOOST_TEST(trace.empty());  // nothing runs inside cooperate()
    BOOST_TEST(clock.pending_calls().size() == 1u);
    clock.advance(0s);
    BOOST_TEST(trace == (Trace{"a1", "a2", "a3"}), boost::test_tools::per_element());
    BOOST_CHECK_NO_THROW(success_result_of(done));
    BOOST_TEST(task.finished());
    BOOST_TEST(clock.pending_calls().empty());  // no tick after the last task
}

BOOST_AUTO_TEST_CASE(tasks_take_turns_round_robin) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    coop.cooperate(steps(trace, "a", 3));
    coop.cooperate(steps(trace, "b", 2));
    clock.advance(0s);
    BOOST_TEST(trace == (Trace{"a1", "b1", "a2", "b2", "a3"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_tick_ends_when_the_termination_predicate_says_so_and_the_next_goes_on) {
    Clock clock;
    ManualTicks loop(clock);
    Cooperator coop(loop, steps_per_tick(3));
    Trace trace;
    coop.cooperate(steps(trace, "a", 3));
    coop.cooperate(steps(trace, "b", 3));
    BOOST_TEST(loop.iterate() == 1u);
    BOOST_TEST(trace == (Trace{"a1", "b1", "a2"}), boost::test_tools::per_element());
    BOOST_TEST(loop.iterate() == 1u);
    BOOST_TEST(trace == (Trace{"a1", "b1", "a2", "b2", "a3", "b3"}),
               boost::test_tools::per_element());
    while (loop.iterate() > 0) {
    }
    BOOST_TEST(trace.size() == 6u);
    BOOST_CHECK_THROW(steps_per_tick(0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_default_predicate_is_a_steady_clock_time_slice) {
    Clock clock;
    ManualTicks loop(clock);
    Trace trace;
    Cooperator zero_slice(loop, time_slice(0ns));  // every tick ends after its first step
    zero_slice.cooperate(steps(trace, "a", 2));
    loop.iterate();
    BOOST_TEST(trace == (Trace{"a1"}), boost::test_tools::per_element());
    Cooperator long_slice(loop, time_slice(1h));
    long_slice.cooperate(steps(trace, "b", 3));
    loop.iterate();  // a2 (one step), then all of b in one tick
    BOOST_TEST(trace == (Trace{"a1", "a2", "b1", "b2", "b3"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_task_waiting_on_a_deferred_gets_no_turns_until_it_fires) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    Deferred<void> gate;
    int a_turns = 0;
    coop.cooperate([&]() -> Step {
        ++a_turns;
        if (a_turns == 1) return Step::wait(gate);
        trace.push_back("a" + std::to_string(a_turns));
        return a_turns == 3 ? Step::done() : Step::more();
    });
    coop.cooperate(steps(trace, "b", 3));
    clock.advance(0s);
    BOOST_TEST(a_turns == 1);
    BOOST_TEST(trace == (Trace{"b1", "b2", "b3"}), boost::test_tools::per_element());
    BOOST_TEST(clock.pending_calls().empty());  // nothing runnable: no tick
    gate.callback();
    clock.advance(0s);
    BOOST_TEST(trace == (Trace{"b1", "b2", "b3", "a2", "a3"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_deferred_fails_the_task_that_waited_on_it) {
    Clock clock;
    Cooperator coop(clock);
    Deferred<int> gate;
    int turns = 0;
    Deferred<void> done = coop.coiterate([&] {
        ++turns;
        return Step::wait(gate);
    });
    clock.advance(0s);
    gate.errback(Failure::from(UserError()));
    check_fails_with<UserError>(done);
    clock.advance(0s);
    BOOST_TEST(turns == 1);
}

BOOST_AUTO_TEST_CASE(an_exception_from_a_step_fails_the_task_with_it) {
    Clock clock;
    Cooperator coop(clock);
    int turns = 0;
    CooperativeTask task = coop.cooperate([&]() -> Step {
        if (++turns == 2) throw UserError();
        return Step::more();
    });
    Deferred<void> done = task.when_done();
    clock.advance(0s);
    check_fails_with<UserError>(done);
    BOOST_TEST(turns == 2);
    BOOST_CHECK_THROW(task.pause(), TaskFailed);
    BOOST_CHECK_THROW(task.stop(), TaskFailed);
}

BOOST_AUTO_TEST_CASE(a_paused_task_gets_no_turns_and_pause_is_counted) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    CooperativeTask a = coop.cooperate(steps(trace, "a", 2));
    coop.cooperate(steps(trace, "b", 2));
    a.pause();
    a.pause();
    clock.advance(0s);
    BOOST_TEST(trace == (Trace{"b1", "b2"}), boost::test_tools::per_element());
    a.resume();
    clock.advance(0s);
    BOOST_TEST(trace.size() == 2u);
    a.resume();
    clock.advance(0s);
    BOOST_TEST(trace == (Trace{"b1", "b2", "a1", "a2"}), boost::test_tools::per_element());
    BOOST_CHECK_THROW(a.resume(), NotPaused);
}

BOOST_AUTO_TEST_CASE(resuming_a_task_that_waits_on_a_deferred_does_not_break_that_deferred) {
    Clock clock;
    Cooperator coop(clock);
    Deferred<void> gate;
    int turns = 0;
    CooperativeTask task =
        coop.cooperate([&] { return ++turns == 1 ? Step::wait(gate) : Step::done(); });
    clock.advance(0s);
    task.resume();  // the wait's pause is counted like a user's (as in Twisted): it runs again
    clock.advance(0s);
    BOOST_TEST(turns == 2);
    gate.callback();
    BOOST_CHECK_NO_THROW(success_result_of(gate));
}

BOOST_AUTO_TEST_CASE(stop_ends_a_task_with_task_stopped_and_it_never_runs_again) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    CooperativeTask task = coop.cooperate(steps(trace, "a", 5));
    Deferred<void> done = task.when_done();
    task.stop();
    check_fails_with<TaskStopped>(done);
    clock.advance(0s);
    BOOST_TEST(trace.empty());
    BOOST_CHECK_THROW(task.stop(), TaskStopped);
    BOOST_CHECK_THROW(task.pause(), TaskStopped);
    BOOST_CHECK_THROW(task.resume(), NotPaused);
    check_fails_with<TaskStopped>(task.when_done());  // already fired for late callers
}

BOOST_AUTO_TEST_CASE(operations_on_a_task_that_ran_to_its_end_throw_task_done) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    CooperativeTask task = coop.cooperate(steps(trace, "a", 1));
    clock.advance(0s);
    BOOST_CHECK_THROW(task.pause(), TaskDone);
    BOOST_CHECK_THROW(task.stop(), TaskDone);
    BOOST_CHECK_NO_THROW(success_result_of(task.when_done()));
}

BOOST_AUTO_TEST_CASE(every_when_done_call_gets_its_own_deferred) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    CooperativeTask task = coop.cooperate(steps(trace, "a", 1));
    Deferred<void> first = task.when_done();
    Deferred<void> second = task.when_done();
    clock.advance(0s);
    BOOST_CHECK_NO_THROW(success_result_of(first));
    BOOST_CHECK_NO_THROW(success_result_of(second));
}

BOOST_AUTO_TEST_CASE(a_task_may_stop_itself_from_its_own_step) {
    Clock clock;
    Cooperator coop(clock);
    int turns = 0;
    std::optional<CooperativeTask> self;
    self = coop.cooperate([&] {
        ++turns;
        self->stop();
        return Step::more();
    });
    Deferred<void> done = self->when_done();
    clock.advance(0s);
    BOOST_TEST(turns == 1);
    check_fails_with<TaskStopped>(done);
}

BOOST_AUTO_TEST_CASE(stopping_the_cooperator_fails_every_unfinished_task_at_once) {
    Clock clock;
    ManualTicks loop(clock);
    Cooperator coop(loop, steps_per_tick(10));
    Deferred<void> gate;
    int endless_turns = 0;
    CooperativeTask endless = coop.cooperate([&] {
        ++endless_turns;
        return Step::more();
    });
    CooperativeTask paused = coop.cooperate([] { return Step::more(); });
    paused.pause();
    Deferred<void> waiting = coop.coiterate([&] { return Step::wait(gate); });
    loop.iterate();
    coop.stop();
    BOOST_TEST(!coop.running());
    check_fails_with<SchedulerStopped>(endless.when_done());
    check_fails_with<SchedulerStopped>(paused.when_done());
    check_fails_with<SchedulerStopped>(waiting);  // Twisted: only once it resumes
    BOOST_CHECK_THROW(paused.pause(), SchedulerStopped);
    gate.callback();  // the waiting task is over: nothing happens
    const int turns = endless_turns;
    while (loop.iterate() > 0) {
    }
    BOOST_TEST(endless_turns == turns);
    check_fails_with<SchedulerStopped>(coop.coiterate([] { return Step::done(); }));
    BOOST_TEST(loop.queued() == 0u);
    BOOST_CHECK_NO_THROW(coop.stop());
}

BOOST_AUTO_TEST_CASE(removing_the_last_task_cancels_the_pending_tick) {
    Clock clock;
    ManualTicks loop(clock);
    Cooperator coop(loop);
    Trace trace;
    CooperativeTask a = coop.cooperate(steps(trace, "a", 2));
    CooperativeTask b = coop.cooperate(steps(trace, "b", 2));
    BOOST_TEST(loop.queued() == 1u);
    a.stop();
    b.pause();
    // ReactorTime::call_soon cannot be cancelled: the queued tick stays, as a no-op.
    BOOST_TEST(loop.queued() == 1u);
    BOOST_TEST(loop.iterate() == 1u);
    BOOST_TEST(trace.empty());
    BOOST_TEST(loop.queued() == 0u);  // and it scheduled no other
    b.resume();
    BOOST_TEST(loop.queued() == 1u);
    b.pause();
    b.resume();  // the queued tick is reused, not doubled
    BOOST_TEST(loop.queued() == 1u);
    loop.iterate();
    BOOST_TEST(trace == (Trace{"b1", "b2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_cooperator_without_tasks_schedules_nothing) {
    Clock clock;
    Cooperator coop(clock);
    BOOST_TEST(coop.running());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_when_done_callback_may_stop_the_cooperator) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    CooperativeTask first = coop.cooperate(steps(trace, "a", 1));
    CooperativeTask other = coop.cooperate(steps(trace, "b", 5));
    first.when_done().add_callback([&] { coop.stop(); });
    clock.advance(0s);
    check_fails_with<SchedulerStopped>(other.when_done());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_step_may_add_tasks_that_join_the_rotation) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    coop.cooperate([&, added = false]() mutable {
        if (added) return Step::done();
        added = true;
        coop.cooperate(steps(trace, "child", 2));
        return Step::more();
    });
    clock.advance(0s);
    BOOST_TEST(trace == (Trace{"child1", "child2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(coiterate_fires_when_the_task_ends_and_fails_with_its_error) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    Deferred<void> ok = coop.coiterate(steps(trace, "a", 2));
    Deferred<void> bad = coop.coiterate([]() -> Step { throw UserError(); });
    BOOST_TEST(has_no_result(ok));
    clock.advance(0s);
    BOOST_CHECK_NO_THROW(success_result_of(ok));
    check_fails_with<UserError>(bad);
}

BOOST_AUTO_TEST_CASE(cancelling_coiterate_stops_the_task_with_cancelled_error) {
    Clock clock;
    Cooperator coop(clock);
    Trace trace;
    Deferred<void> d = coop.coiterate(steps(trace, "a", 5));
    d.cancel();
    check_fails_with<CancelledError>(d);
    clock.advance(0s);
    BOOST_TEST(trace.empty());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_task_failure_nobody_asked_about_is_logged_when_the_task_goes) {
    LogCapture log;
    Clock clock;
    Cooperator coop(clock);
    coop.cooperate([]() -> Step { throw UserError(); });  // handle dropped: unobserved
    CooperativeTask seen = coop.cooperate([]() -> Step { throw UserError(); });
    Deferred<void> done = seen.when_done();
    clock.advance(0s);
    (void)failure_result_of(done);
    BOOST_TEST(log.count("Unhandled error in CooperativeTask") == 1u);
    BOOST_TEST(log.count("user error") == 1u);
}

BOOST_AUTO_TEST_CASE(destroying_the_cooperator_fails_its_tasks_and_its_queued_tick_does_nothing) {
    Clock clock;
    Trace trace;
    Deferred<void> done;
    {
        Cooperator coop(clock);
        done = coop.coiterate(steps(trace, "a", 3));
    }
    check_fails_with<SchedulerStopped>(done);
    clock.advance(0s);
    BOOST_TEST(trace.empty());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_finished_task_releases_what_it_captured) {
    Counted::reset_counts();
    {
        Clock clock;
        Cooperator coop(clock);
        Deferred<Counted> gate;
        CooperativeTask task = coop.cooperate([c = Counted(1)] { return Step::done(); });
        CooperativeTask waiting =
            coop.cooperate([c = Counted(2), &gate] { return Step::wait(gate); });
        clock.advance(0s);
        BOOST_TEST(Counted::alive() == 1);  // only the waiting task's capture
        gate.callback(Counted(3));
        waiting.stop();
        BOOST_TEST(Counted::alive() == 0);
    }
    BOOST_TEST(Counted::alive() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
