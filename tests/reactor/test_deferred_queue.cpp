// DeferredQueue<T> (Twisted's DeferredQueue).
#include "reactor/deferred_queue.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/stack.hpp"

using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct CountedFixture {
    CountedFixture() { Counted::reset_counts(); }
    ~CountedFixture() { BOOST_TEST(Counted::alive() == 0); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_queue)

BOOST_AUTO_TEST_CASE(a_get_on_an_empty_queue_fires_with_the_next_put) {
    DeferredQueue<int> queue;
    auto d = queue.get();
    BOOST_TEST(has_no_result(d));
    BOOST_TEST(queue.waiting() == 1u);
    queue.put(7);
    BOOST_TEST(success_result_of(d) == 7);
    BOOST_TEST(queue.waiting() == 0u);
    BOOST_TEST(queue.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(puts_go_to_the_waiting_gets_oldest_first) {
    DeferredQueue<int> queue(2, 2);
    std::vector<int> gotten;
    for (int i = 0; i < 2; ++i) queue.get().add_callback([&](int v) { gotten.push_back(v); });
    BOOST_CHECK_THROW(queue.get(), QueueUnderflow);  // the backlog is full
    for (int i = 0; i < 2; ++i) {
        queue.put(i);
        BOOST_TEST(gotten.size() == static_cast<std::size_t>(i + 1));
    }
    BOOST_TEST(gotten == (std::vector<int>{0, 1}));
}

BOOST_AUTO_TEST_CASE(values_put_while_nobody_waits_are_buffered_and_got_in_order) {
    DeferredQueue<int> queue(2, 2);
    queue.put(10);
    queue.put(11);
    BOOST_TEST(queue.pending() == 2u);
    BOOST_CHECK_THROW(queue.put(12), QueueOverflow);  // size is 2
    BOOST_TEST(queue.pending() == 2u);
    auto first = queue.get();
    BOOST_TEST(success_result_of(first) == 10);  // fired at once
    BOOST_TEST(success_result_of(queue.get()) == 11);
    BOOST_TEST(queue.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(an_unbounded_queue_buffers_and_waits_without_limit) {
    DeferredQueue<int> queue;
    BOOST_TEST(queue.size() == DeferredQueue<int>::unlimited);
    BOOST_TEST(queue.backlog() == DeferredQueue<int>::unlimited);
    std::vector<int> gotten;
    for (int i = 0; i < 1000; ++i) queue.get().add_callback([&](int v) { gotten.push_back(v); });
    for (int i = 0; i < 2000; ++i) queue.put(i);
    BOOST_TEST(gotten.size() == 1000u);
    BOOST_TEST(gotten.back() == 999);
    BOOST_TEST(queue.pending() == 1000u);
}

BOOST_AUTO_TEST_CASE(a_queue_of_size_zero_overflows_on_any_put_without_a_waiter) {
    DeferredQueue<int> queue(0);
    BOOST_CHECK_THROW(queue.put(1), QueueOverflow);
    auto d = queue.get();
    BOOST_CHECK_NO_THROW(queue.put(2));  // handed straight to the waiter
    BOOST_TEST(success_result_of(d) == 2);
}

BOOST_AUTO_TEST_CASE(a_queue_with_backlog_zero_underflows_on_any_get_without_a_value) {
    DeferredQueue<int> queue(DeferredQueue<int>::unlimited, 0);
    BOOST_CHECK_THROW(queue.get(), QueueUnderflow);
    queue.put(3);
    BOOST_TEST(success_result_of(queue.get()) == 3);
}

BOOST_AUTO_TEST_CASE(a_cancelled_get_fails_and_a_later_put_skips_it) {
    DeferredQueue<std::string> queue;
    auto cancelled = queue.get();
    auto next = queue.get();
    cancelled.cancel();
    BOOST_TEST(failure_result_of(cancelled).check<CancelledError>());
    BOOST_TEST(queue.waiting() == 1u);
    queue.put("value");
    BOOST_TEST(success_result_of(next) == "value");
}

BOOST_AUTO_TEST_CASE(a_cancelled_get_frees_its_place_in_the_backlog) {
    DeferredQueue<int> queue(DeferredQueue<int>::unlimited, 1);
    auto cancelled = queue.get();
    cancelled.cancel();
    auto d = queue.get();
    queue.put(1);
    BOOST_TEST(success_result_of(d) == 1);
    (void)failure_result_of(cancelled);
}

BOOST_AUTO_TEST_CASE(after_a_cancelled_get_the_queue_still_works_from_its_errback) {
    DeferredQueue<int> queue;
    auto d = queue.get();
    d.cancel();
    std::vector<int> done;
    d.add_errback([&](const Failure&) {
         queue.put(5);
         return queue.get();
     }).add_callback([&](int v) { done.push_back(v); });
    BOOST_TEST(done == std::vector<int>{5});
}

BOOST_AUTO_TEST_CASE(cancelling_a_get_that_already_has_its_value_does_nothing) {
    DeferredQueue<int> queue;
    auto waited = queue.get();
    queue.put(1);
    waited.cancel();
    BOOST_TEST(success_result_of(waited) == 1);
    queue.put(2);
    auto buffered = queue.get();
    buffered.cancel();
    BOOST_TEST(success_result_of(buffered) == 2);
}

BOOST_AUTO_TEST_CASE(a_get_callback_that_puts_again_keeps_the_order_of_the_line) {
    DeferredQueue<int> queue;
    std::vector<std::string> log;
    queue.get().add_callback([&](int v) {
        log.push_back("a" + std::to_string(v));
        queue.put(v + 1);  // goes to the next waiter, b
        log.push_back("a done");
    });
    queue.get().add_callback([&](int v) { log.push_back("b" + std::to_string(v)); });
    queue.put(1);
    BOOST_TEST(log == (std::vector<std::string>{"a1", "a done", "b2"}));
}

BOOST_AUTO_TEST_CASE(a_long_relay_of_gets_that_put_again_runs_in_constant_stack) {
    int last = 0;
    testing::run_with_stack(256 * 1024, [&] {
        DeferredQueue<int> queue;
        for (int i = 0; i < 100'000; ++i)
            queue.get().add_callback([&](int v) {
                last = v;
                queue.put(v + 1);
            });
        queue.put(1);
    });
    BOOST_TEST(last == 100'000);
}

BOOST_AUTO_TEST_CASE(move_only_values_travel_through_the_queue) {
    DeferredQueue<std::unique_ptr<int>> queue;
    auto d = queue.get();
    queue.put(std::make_unique<int>(1));
    queue.put(std::make_unique<int>(2));
    BOOST_TEST(*success_result_of(d) == 1);
    BOOST_TEST(*success_result_of(queue.get()) == 2);
}

BOOST_AUTO_TEST_CASE(destroying_the_queue_lets_go_of_its_pending_gets) {
    LogCapture log;
    auto queue = std::make_unique<DeferredQueue<int>>();
    bool dropped = false;
    queue->get().add_errback([&](const Failure& f) {
        dropped = f.check<DroppedDeferredError>();
        return 0;
    });
    auto held = queue->get();
    queue.reset();
    BOOST_TEST(dropped);
    held.cancel();
    BOOST_TEST(failure_result_of(held).check<CancelledError>());
    BOOST_TEST(log.lines.empty());
}

BOOST_FIXTURE_TEST_CASE(no_value_leaks_from_a_queue_whatever_state_it_dies_in, CountedFixture) {
    {
        DeferredQueue<Counted> queue(2);
        auto got = queue.get();
        queue.put(Counted(1));
        BOOST_TEST(success_result_of(got).value == 1);
        queue.put(Counted(2));
        queue.put(Counted(3));
        BOOST_CHECK_THROW(queue.put(Counted(4)), QueueOverflow);
        BOOST_TEST(success_result_of(queue.get()).value == 2);
        auto unread = queue.get();  // holds Counted(3) until destroyed
    }
    {
        DeferredQueue<Counted> queue;
        auto cancelled = queue.get();
        cancelled.cancel();
        queue.put(Counted(5));  // buffered, never got
        (void)failure_result_of(cancelled);
    }
}

BOOST_AUTO_TEST_SUITE_END()
