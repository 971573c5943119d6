// DeferredLock and DeferredSemaphore (Twisted's DeferredLock and DeferredSemaphore).
#include "reactor/deferred_lock.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/stack.hpp"

using namespace interloop;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_lock)

BOOST_AUTO_TEST_CASE(acquiring_a_free_lock_fires_at_once_and_locks_it) {
    DeferredLock lock;
    BOOST_TEST(!lock.locked());
    auto d = lock.acquire();
    BOOST_TEST(d.has_result());
    BOOST_TEST(lock.locked());
}

BOOST_AUTO_TEST_CASE(a_second_acquire_waits_until_the_holder_releases) {
    DeferredLock lock;
    int acquired = 0;
    lock.acquire().add_callback([&] { ++acquired; });
    lock.acquire().add_callback([&] { ++acquired; });
    BOOST_TEST(acquired == 1);
    lock.release();
    BOOST_TEST(acquired == 2);
    BOOST_TEST(lock.locked());  // handed over, not freed
    lock.release();
    BOOST_TEST(!lock.locked());
}

BOOST_AUTO_TEST_CASE(waiters_get_the_lock_in_the_order_they_asked_for_it) {
    DeferredLock lock;
    std::vector<int> order;
    lock.acquire();
    for (int i = 1; i <= 4; ++i) lock.acquire().add_callback([&order, i] { order.push_back(i); });
    for (int i = 0; i < 4; ++i) lock.release();
    BOOST_TEST(order == (std::vector<int>{1, 2, 3, 4}));
    BOOST_TEST(lock.locked());
}

BOOST_AUTO_TEST_CASE(releasing_a_lock_that_is_not_locked_throws_logic_error) {
    DeferredLock lock;
    BOOST_CHECK_THROW(lock.release(), std::logic_error);
    lock.acquire();
    lock.release();
    BOOST_CHECK_THROW(lock.release(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_waiter_cancelled_before_it_got_the_lock_fails_and_is_skipped) {
    DeferredLock lock;
    lock.acquire();
    auto cancelled = lock.acquire();
    bool next_acquired = false;
    lock.acquire().add_callback([&] { next_acquired = true; });
    cancelled.cancel();
    BOOST_TEST(failure_result_of(cancelled).check<CancelledError>());
    lock.release();
    BOOST_TEST(next_acquired);
}

BOOST_AUTO_TEST_CASE(cancelling_an_acquire_that_already_has_the_lock_does_nothing) {
    DeferredLock lock;
    auto d = lock.acquire();
    bool errback_ran = false;
    d.add_errback([&](const Failure&) { errback_ran = true; });
    d.cancel();
    BOOST_TEST(!errback_ran);
    BOOST_TEST(lock.locked());
}

BOOST_AUTO_TEST_CASE(run_holds_the_lock_until_the_deferred_of_the_function_fires) {
    DeferredLock lock;
    Deferred<std::string> control;
    std::string seen;
    auto result = lock.run(
        [&](std::string arg) {
            seen = arg;
            return control;
        },
        std::string("first"));
    BOOST_TEST(seen == "first");
    BOOST_TEST(lock.locked());
    bool waiter_acquired = false;
    lock.acquire().add_callback([&] { waiter_acquired = true; });
    control.callback("second");
    BOOST_TEST(success_result_of(result) == "second");
    BOOST_TEST(waiter_acquired);  // the release handed the lock to the waiter
    BOOST_TEST(lock.locked());
    auto late = lock.acquire();
    late.cancel();
    BOOST_TEST(failure_result_of(late).check<CancelledError>());
    lock.release();
    BOOST_TEST(!lock.locked());
}

BOOST_AUTO_TEST_CASE(run_of_a_plain_function_returns_its_value_and_releases_at_once) {
    DeferredLock lock;
    auto d = lock.run([](int a, int b) { return a + b; }, 2, 3);
    BOOST_TEST(success_result_of(d) == 5);
    BOOST_TEST(!lock.locked());
}

BOOST_AUTO_TEST_CASE(run_releases_the_lock_when_the_function_throws_or_fails) {
    DeferredLock lock;
    auto thrown = lock.run([]() -> int { throw UserError("thrown"); });
    BOOST_TEST(failure_result_of(thrown).check<UserError>());
    BOOST_TEST(!lock.locked());
    Deferred<void> control;
    auto failed = lock.run([&] { return control; });
    BOOST_TEST(lock.locked());
    control.errback(Failure::from(UserError("failed")));
    BOOST_TEST(failure_result_of(failed).check<UserError>());
    BOOST_TEST(!lock.locked());
}

BOOST_AUTO_TEST_CASE(a_run_cancelled_while_waiting_never_calls_the_function_nor_releases) {
    DeferredLock lock;
    lock.acquire();
    bool called = false;
    auto run = lock.run([&] { called = true; });
    run.cancel();
    BOOST_TEST(failure_result_of(run).check<CancelledError>());
    BOOST_TEST(!called);
    BOOST_TEST(lock.locked());  // still ours
    lock.release();
    BOOST_TEST(!lock.locked());
}

BOOST_AUTO_TEST_CASE(cancelling_a_running_run_cancels_the_functions_deferred_and_releases) {
    DeferredLock lock;
    bool inner_cancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { inner_cancelled = true; });
    auto run = lock.run([&] { return inner; });
    run.cancel();
    BOOST_TEST(inner_cancelled);
    BOOST_TEST(failure_result_of(run).check<CancelledError>());
    BOOST_TEST(!lock.locked());
}

BOOST_AUTO_TEST_CASE(a_holder_that_asks_again_from_its_callback_queues_behind_the_others) {
    DeferredLock lock;
    std::vector<std::string> order;
    lock.acquire();
    lock.acquire().add_callback([&] {
        order.push_back("a");
        lock.release();
        lock.acquire().add_callback([&] { order.push_back("a again"); });
    });
    lock.acquire().add_callback([&] {
        order.push_back("b");
        lock.release();
    });
    lock.release();
    BOOST_TEST(order == (std::vector<std::string>{"a", "b", "a again"}));
    BOOST_TEST(lock.locked());
}

BOOST_AUTO_TEST_CASE(a_long_line_of_waiters_is_served_without_growing_the_stack) {
    int ran = 0;
    bool locked_after = true;
    testing::run_with_stack(256 * 1024, [&] {
        DeferredLock lock;
        lock.acquire();
        std::vector<Deferred<void>> runs;
        for (int i = 0; i < 100'000; ++i) runs.push_back(lock.run([&] { ++ran; }));
        lock.release();
        locked_after = lock.locked();
    });
    BOOST_TEST(ran == 100'000);
    BOOST_TEST(!locked_after);
}

BOOST_AUTO_TEST_CASE(destroying_a_lock_lets_go_of_its_waiters_with_dropped_deferred_error) {
    auto lock = std::make_unique<DeferredLock>();
    lock->acquire();
    bool dropped = false;
    lock->acquire().add_errback(
        [&](const Failure& f) { dropped = f.check<DroppedDeferredError>(); });
    auto held = lock->acquire();
    lock.reset();
    BOOST_TEST(dropped);
    held.cancel();  // the lock is gone: a plain CancelledError
    BOOST_TEST(failure_result_of(held).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(a_waiters_callback_may_destroy_the_lock) {
    auto lock = std::make_unique<DeferredLock>();
    lock->acquire();
    bool later_dropped = false;
    lock->acquire().add_callback([&] { lock.reset(); });
    lock->acquire().add_errback(
        [&](const Failure& f) { later_dropped = f.check<DroppedDeferredError>(); });
    lock->release();
    BOOST_TEST(!lock);
    BOOST_TEST(later_dropped);
}

BOOST_AUTO_TEST_CASE(a_run_in_progress_outlives_its_lock) {
    auto lock = std::make_unique<DeferredLock>();
    Deferred<int> control;
    auto run = lock->run([&] { return control; });
    lock.reset();
    control.callback(1);
    BOOST_TEST(success_result_of(run) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deferred_semaphore)

BOOST_AUTO_TEST_CASE(a_semaphore_needs_at_least_one_token) {
    BOOST_CHECK_THROW(DeferredSemaphore(0), std::invalid_argument);
    BOOST_CHECK_THROW(DeferredSemaphore(-1), std::invalid_argument);
    BOOST_TEST(DeferredSemaphore(1).tokens() == 1u);
}

BOOST_AUTO_TEST_CASE(up_to_the_limit_acquires_fire_at_once_then_they_wait_in_order) {
    constexpr int limit = 13;
    DeferredSemaphore sem(limit);
    int acquired = 0;
    for (int i = 1; i <= limit; ++i) {
        sem.acquire().add_callback([&] { ++acquired; });
        BOOST_TEST(acquired == i);
        BOOST_TEST(sem.tokens() == static_cast<std::size_t>(limit - i));
    }
    std::vector<int> order;
    auto cancelled = sem.acquire();
    sem.acquire().add_callback([&] { order.push_back(1); });
    sem.acquire().add_callback([&] { order.push_back(2); });
    cancelled.cancel();
    BOOST_TEST(failure_result_of(cancelled).check<CancelledError>());
    sem.release();
    BOOST_TEST(order == std::vector<int>{1});
    sem.release();
    BOOST_TEST(order == (std::vector<int>{1, 2}));
    BOOST_TEST(sem.tokens() == 0u);
    for (int i = 1; i <= limit; ++i) sem.release();
    BOOST_TEST(sem.tokens() == sem.limit());
}

BOOST_AUTO_TEST_CASE(releasing_more_tokens_than_were_acquired_throws_logic_error) {
    DeferredSemaphore sem(2);
    BOOST_CHECK_THROW(sem.release(), std::logic_error);
    sem.acquire();
    sem.release();
    BOOST_CHECK_THROW(sem.release(), std::logic_error);
    BOOST_TEST(sem.tokens() == 2u);
}

BOOST_AUTO_TEST_CASE(cancelling_an_acquire_that_already_has_a_token_does_nothing) {
    DeferredSemaphore sem(1);
    auto d = sem.acquire();
    d.cancel();
    BOOST_TEST(d.has_result());
    BOOST_TEST(sem.tokens() == 0u);
}

BOOST_AUTO_TEST_CASE(run_passes_arguments_and_fires_with_the_functions_result) {
    DeferredSemaphore sem(13);
    Deferred<void> control;
    std::string seen;
    auto result = sem.run(
        [&](const std::string& arg) {
            seen = arg;
            return control;
        },
        std::string("unique"));
    BOOST_TEST(seen == "unique");
    BOOST_TEST(has_no_result(result));
    BOOST_TEST(sem.tokens() == 12u);
    control.callback();
    BOOST_TEST(result.has_result());
    BOOST_TEST(sem.tokens() == 13u);
}

BOOST_AUTO_TEST_CASE(run_never_has_more_functions_running_than_the_limit) {
    DeferredSemaphore sem(3);
    int running = 0, most = 0, done = 0;
    std::vector<Deferred<void>> gates(10);
    for (auto& gate : gates) {
        sem.run([&, gate]() mutable {
            most = std::max(most, ++running);
            return gate.add_callback([&] {
                --running;  // before run releases the token
                ++done;
            });
        });
    }
    BOOST_TEST(running == 3);
    for (auto& gate : gates) gate.callback();
    BOOST_TEST(done == 10);
    BOOST_TEST(most == 3);
    BOOST_TEST(sem.tokens() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
