// as_future / async_wait / async_call: Deferreds awaited from Asio, in both loop modes.
#include "bridge/as_future.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <variant>

#include "reactor/timeout.hpp"
#include "tests/bridge/bridge_testing.hpp"

using namespace interloop;
using namespace interloop::testing;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;
namespace asio = boost::asio;

BOOST_AUTO_TEST_SUITE(as_future_crossing)

BOOST_AUTO_TEST_CASE(a_value_crosses_from_a_deferred_to_a_coroutine) {
    for_each_mode([](Loops& loops) {
        int got = 0;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                got = co_await as_future(loops.reactor(), [&] {
                    return defer_later(loops.reactor(), 1ms, [] { return 42; });
                });
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(got == 42);
    });
}

BOOST_AUTO_TEST_CASE(a_void_deferred_resumes_the_coroutine) {
    for_each_mode([](Loops& loops) {
        bool resumed = false;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                co_await as_future(loops.reactor(),
                                   [&] { return defer_later(loops.reactor(), 1ms); });
                resumed = true;
                co_return;  // g++ 12 warns (-Wreturn-type) on this coroutine lambda without it
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(resumed);
    });
}

BOOST_AUTO_TEST_CASE(a_failure_is_rethrown_in_the_coroutine_as_the_users_exception_type) {
    for_each_mode([](Loops& loops) {
        bool caught = false;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                try {
                    co_await as_future(loops.reactor(), [&] {
                        return defer_later(loops.reactor(), 1ms,
                                           []() -> int { throw UserError(); });
                    });
                } catch (const UserError&) {
                    caught = true;
                }
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(caught);
    });
}

BOOST_AUTO_TEST_CASE(cancelling_the_deferred_throws_cancelled_error_in_the_coroutine) {
    for_each_mode([](Loops& loops) {
        bool caught = false;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                try {
                    co_await as_future(loops.reactor(), [&] {
                        auto d = defer_later(loops.reactor(), 60s, [] { return 1; });
                        loops.reactor().call_later(1ms, [d]() mutable { d.cancel(); });
                        return d;
                    });
                } catch (const CancelledError&) {
                    caught = true;
                }
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(caught);
    });
}

BOOST_AUTO_TEST_CASE(cancelling_the_coroutine_cancels_the_deferred) {
    for_each_mode([](Loops& loops) {
        bool deferred_cancelled = false;
        std::size_t winner = 9;
        std::exception_ptr error;
        Deferred<int> producer_holds;  // the producer keeps its Deferred, as a real one does
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                auto result =
                    co_await (as_future(loops.reactor(),
                                        [&] {
                                            producer_holds = Deferred<int>(
                                                [&](Deferred<int>&) { deferred_cancelled = true; });
                                            return producer_holds;
                                        }) ||
                              sleep_for(5ms));
                winner = result.index();
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(winner == 1u);  // the timer won; as_future was cancelled
        BOOST_TEST(deferred_cancelled);
    });
}

BOOST_AUTO_TEST_CASE(the_awaiter_stays_cancelled_even_if_the_canceller_produces_a_value) {
    for_each_mode([](Loops& loops) {
        bool aborted = false;
        std::exception_ptr error;
        Deferred<int> producer_holds;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                asio::cancellation_signal signal;
                auto ex = co_await asio::this_coro::executor;
                asio::post(ex, [&] { signal.emit(asio::cancellation_type::terminal); });
                try {
                    co_await async_call(
                        loops.reactor(),
                        [&] {
                            producer_holds =
                                Deferred<int>([](Deferred<int>& self) { self.callback(99); });
                            return producer_holds;
                        },
                        asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
                } catch (const boost::system::system_error& e) {
                    aborted = e.code() == asio::error::operation_aborted;
                }
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(aborted);
    });
}

BOOST_AUTO_TEST_CASE(a_deferred_dropped_unfired_completes_the_awaiter_with_an_error) {
    for_each_mode([](Loops& loops) {
        bool caught = false;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                try {
                    co_await as_future(loops.reactor(), [&] {
                        Deferred<int> d;
                        loops.reactor().call_later(1ms, [d] {});  // its only other holder
                        return d;
                    });
                } catch (const DroppedDeferredError&) {
                    caught = true;
                }
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(caught);
    });
}

BOOST_AUTO_TEST_CASE(an_already_fired_deferred_still_completes_through_the_executor) {
    // Shared loop only: the completion must be posted, never run inside the initiation.
    SharedLoop loops;
    std::vector<std::string> order;
    std::exception_ptr error;
    loops.run([&] {
        spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            asio::post(ex, [&] { order.push_back("posted before completion"); });
            int v = co_await async_wait(succeed(5), asio::use_awaitable);
            order.push_back("resumed with " + std::to_string(v));
        });
    });
    rethrow_if_set(error);
    BOOST_TEST(order == (std::vector<std::string>{"posted before completion", "resumed with 5"}));
}

BOOST_AUTO_TEST_CASE(on_the_deferreds_own_thread_the_call_runs_at_once_without_a_hop) {
    SharedLoop loops;
    std::vector<std::string> order;
    std::exception_ptr error;
    loops.run([&] {
        spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
            loops.reactor().call_soon([&] { order.push_back("queued call"); });
            co_await as_future(loops.reactor(), [&] {
                order.push_back("fn");  // before anything queued: no hop through the loop
                return succeed();
            });
        });
    });
    rethrow_if_set(error);
    BOOST_TEST(order.front() == "fn");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(as_future_completion_tokens)

BOOST_AUTO_TEST_CASE(use_future_waits_from_a_plain_thread) {
    for_each_mode([](Loops& loops) {
        int got = 0;
        std::thread waiter;
        loops.run([&] {
            waiter = std::thread([&] {
                auto future = async_call(
                    loops.reactor(),
                    [&] { return defer_later(loops.reactor(), 1ms, [] { return 8; }); },
                    asio::use_future);
                got = future.get();
                loops.finish();
            });
        });
        waiter.join();
        BOOST_TEST(got == 8);
    });
}

BOOST_AUTO_TEST_CASE(a_plain_callback_runs_on_the_reactor_thread) {
    for_each_mode([](Loops& loops) {
        int got = 0;
        bool on_reactor = false;
        loops.run([&] {
            async_call(
                loops.reactor(),
                [&] { return defer_later(loops.reactor(), 1ms, [] { return 9; }); },
                [&](std::exception_ptr error, int v) {
                    got = error ? -1 : v;
                    on_reactor = Reactor::current() == &loops.reactor();
                    loops.finish();
                });
        });
        BOOST_TEST(got == 9);
        BOOST_TEST(on_reactor);
    });
}

BOOST_AUTO_TEST_CASE(a_callback_bound_to_an_executor_runs_there) {
    for_each_mode([](Loops& loops) {
        bool on_io_thread = false;
        loops.run([&] {
            async_wait(defer_later(loops.reactor(), 1ms),
                       asio::bind_executor(loops.executor(), [&](std::exception_ptr) {
                           on_io_thread = loops.context().get_executor().running_in_this_thread();
                           loops.finish();
                       }));
        });
        BOOST_TEST(on_io_thread);
    });
}

BOOST_AUTO_TEST_CASE(asio_deferred_starts_the_wait_only_when_used) {
    for_each_mode([](Loops& loops) {
        std::atomic<int> calls{0};
        int got = 0;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                auto op = async_call(
                    loops.reactor(),
                    [&] {
                        ++calls;
                        return succeed(10);
                    },
                    asio::deferred);
                co_await sleep_for(1ms);
                int before = calls;  // nothing ran yet
                got = before + co_await std::move(op)(asio::use_awaitable);
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(got == 10);
        BOOST_TEST(calls.load() == 1);
    });
}

BOOST_AUTO_TEST_CASE(as_tuple_delivers_the_exception_without_throwing) {
    for_each_mode([](Loops& loops) {
        bool got_user_error = false;
        std::exception_ptr error;
        loops.run([&] {
            spawn_then_finish(loops, error, [&]() -> asio::awaitable<void> {
                auto [e, v] = co_await async_call(
                    loops.reactor(), [] { return fail<int>(UserError()); },
                    asio::as_tuple(asio::use_awaitable));
                try {
                    if (e) std::rethrow_exception(e);
                } catch (const UserError&) {
                    got_user_error = v == 0;
                }
            });
        });
        rethrow_if_set(error);
        BOOST_TEST(got_user_error);
    });
}

BOOST_AUTO_TEST_SUITE_END()
