// TimerQueue: the indexed heap under Clock and the real reactors.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "reactor/detail/timer_queue.hpp"
#include "reactor/errors.hpp"
#include "tests/support/log_capture.hpp"

using interloop::DelayedCall;
using interloop::Duration;
using interloop::ReactorTime;
using interloop::UniqueFunction;
using interloop::detail::CallErrors;
using interloop::detail::TimerQueue;

namespace {

// The minimal ReactorTime a TimerQueue needs: a settable "now".
class FakeTime final : public ReactorTime {
public:
    double now = 0.0;
    double seconds() const override { return now; }
    DelayedCall call_later(Duration, UniqueFunction<void()>) override {
        throw std::logic_error("unused");
    }
    void call_soon(UniqueFunction<void()>) override { throw std::logic_error("unused"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(timer_queue)

BOOST_AUTO_TEST_CASE(random_schedule_cancel_and_reschedule_keep_time_then_insertion_order) {
    FakeTime time;
    TimerQueue queue(time);
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> small_time(0, 50);  // many equal times
    std::vector<DelayedCall> calls;
    std::vector<int> ran;

    for (int i = 0; i < 2000; ++i) {
        const int op = static_cast<int>(rng() % 4);
        if (op <= 1 || calls.empty()) {
            const int id = static_cast<int>(calls.size());
            calls.push_back(queue.schedule(small_time(rng), [&ran, id] { ran.push_back(id); }));
        } else {
            DelayedCall& c = calls[rng() % calls.size()];
            if (!c.active()) continue;
            if (op == 2)
                c.cancel();
            else
                c.reset(Duration(small_time(rng)));
        }
    }

    // The model: active calls sorted by (time, insertion order).
    std::vector<int> expected;
    for (int id = 0; id < static_cast<int>(calls.size()); ++id)
        if (calls[id].active()) expected.push_back(id);
    std::stable_sort(expected.begin(), expected.end(),
                     [&](int a, int b) { return calls[a].time() < calls[b].time(); });
    BOOST_TEST(queue.size() == expected.size());

    std::vector<DelayedCall> pending = queue.pending();
    BOOST_REQUIRE(pending.size() == expected.size());
    for (std::size_t i = 0; i < pending.size(); ++i)
        BOOST_TEST(pending[i].time() == calls[expected[i]].time());

    queue.run_due(1000.0, false);
    BOOST_TEST(ran == expected, boost::test_tools::per_element());
    BOOST_TEST(queue.empty());
}

BOOST_AUTO_TEST_CASE(cancelled_entries_leave_the_heap_at_once) {
    FakeTime time;
    TimerQueue queue(time);
    std::vector<DelayedCall> calls;
    for (int i = 0; i < 1000; ++i) calls.push_back(queue.schedule(180.0 + i, [] {}));
    for (DelayedCall& c : calls) c.cancel();
    BOOST_TEST(queue.size() == 0u);
    BOOST_TEST(queue.next_time() == std::numeric_limits<double>::infinity());
}

BOOST_AUTO_TEST_CASE(cancel_releases_the_function_at_once) {
    FakeTime time;
    TimerQueue queue(time);
    auto token = std::make_shared<int>(0);
    DelayedCall call = queue.schedule(1.0, [token] {});
    BOOST_TEST(token.use_count() == 2);
    call.cancel();
    BOOST_TEST(token.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(without_new_calls_a_pass_postpones_calls_scheduled_while_it_runs) {
    FakeTime time;
    TimerQueue queue(time);
    std::vector<std::string> ran;
    queue.schedule(1.0, [&] {
        ran.push_back("first");
        queue.schedule(1.0, [&] { ran.push_back("new"); });
    });
    queue.schedule(1.0, [&] { ran.push_back("second"); });

    BOOST_TEST(queue.run_due(1.0, false) == 2u);
    BOOST_TEST(ran == (std::vector<std::string>{"first", "second"}),
               boost::test_tools::per_element());
    BOOST_TEST(queue.run_due(1.0, false) == 1u);
    BOOST_TEST(ran.back() == "new");
}

BOOST_AUTO_TEST_CASE(with_new_calls_a_pass_runs_due_calls_scheduled_while_it_runs) {
    FakeTime time;
    TimerQueue queue(time);
    int chain = 0;
    std::function<void()> step = [&] {
        if (++chain < 100) queue.schedule(1.0, [&] { step(); });
    };
    queue.schedule(1.0, [&] { step(); });
    BOOST_TEST(queue.run_due(1.0, true) == 100u);
    BOOST_TEST(queue.empty());
}

BOOST_AUTO_TEST_CASE(log_policy_logs_a_failing_call_and_runs_the_rest) {
    FakeTime time;
    TimerQueue queue(time);
    interloop::testing::LogCapture logs;
    bool second_ran = false;
    queue.schedule(1.0, [] { throw std::runtime_error("boom"); });
    queue.schedule(2.0, [&] { second_ran = true; });
    BOOST_TEST(queue.run_due(5.0, false, CallErrors::log) == 2u);
    BOOST_TEST(second_ran);
    BOOST_REQUIRE(logs.lines.size() == 1u);
    BOOST_TEST(logs.lines[0].logger == "interloop.reactor");
    BOOST_TEST((logs.lines[0].level == interloop::log::Level::error));
    BOOST_TEST(logs.count("std::runtime_error: boom") == 1u);
}

BOOST_AUTO_TEST_CASE(propagate_policy_rethrows_and_leaves_the_queue_consistent) {
    FakeTime time;
    TimerQueue queue(time);
    bool second_ran = false;
    DelayedCall failing = queue.schedule(1.0, [] { throw std::runtime_error("boom"); });
    queue.schedule(2.0, [&] { second_ran = true; });
    BOOST_CHECK_THROW(queue.run_due(5.0, false), std::runtime_error);
    BOOST_TEST(!failing.active());
    BOOST_TEST(!second_ran);
    BOOST_TEST(queue.run_due(5.0, false) == 1u);
    BOOST_TEST(second_ran);
}

BOOST_AUTO_TEST_CASE(change_hook_fires_when_the_earliest_deadline_may_change) {
    FakeTime time;
    TimerQueue queue(time);
    int changes = 0;
    queue.set_on_change([&] { ++changes; });
    DelayedCall late = queue.schedule(10.0, [] {});
    BOOST_TEST(changes == 1);  // new earliest
    DelayedCall later = queue.schedule(20.0, [] {});
    BOOST_TEST(changes == 1);  // not the earliest
    later.reset(Duration(5.0));
    BOOST_TEST(changes == 2);  // became the earliest
    later.cancel();
    BOOST_TEST(changes == 3);  // the earliest left
    late.delay(Duration(1.0));
    BOOST_TEST(changes == 4);
    queue.schedule(0.0, [&] { queue.schedule(0.5, [] {}); });
    BOOST_TEST(changes == 5);
    queue.run_due(1.0, false);
    BOOST_TEST(changes == 5);  // silent while running: the owner re-arms afterwards
}

BOOST_AUTO_TEST_CASE(destroying_the_queue_makes_its_entries_inactive) {
    FakeTime time;
    auto token = std::make_shared<int>(0);
    DelayedCall call;
    {
        TimerQueue queue(time);
        call = queue.schedule(1.0, [token] {});
    }
    BOOST_TEST(token.use_count() == 1);
    BOOST_TEST(!call.active());
    BOOST_CHECK_THROW(call.cancel(), interloop::AlreadyCancelled);
    BOOST_CHECK_THROW(call.reset(Duration(1.0)), interloop::AlreadyCancelled);
}

BOOST_AUTO_TEST_SUITE_END()
