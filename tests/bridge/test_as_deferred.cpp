// as_deferred: Asio coroutines awaited from callback code, in both loop modes.
#include "bridge/as_deferred.hpp"

#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <optional>

#include "tests/bridge/bridge_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using namespace interloop::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

asio::awaitable<int> answer_after(std::chrono::milliseconds delay) {
    co_await sleep_for(delay);
    co_return 42;
}

asio::awaitable<void> fail_after(std::chrono::milliseconds delay) {
    co_await sleep_for(delay);
    throw UserError();
}

/// Not default-constructible: as_deferred must not need `T()`.
struct Token {
    explicit Token(int v) : value(v) {}
    int value;
};

asio::awaitable<Token> token_after(std::chrono::milliseconds delay) {
    co_await sleep_for(delay);
    co_return Token(7);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(as_deferred_crossing)

BOOST_AUTO_TEST_CASE(a_coroutines_value_fires_the_deferred_on_the_reactor_thread) {
    for_each_mode([](Loops& loops) {
        int got = 0;
        bool on_reactor_thread = false;
        loops.run([&] {
            as_deferred(loops.executor(), answer_after(1ms)).add_callback([&](int v) {
                got = v;
                on_reactor_thread = Reactor::current() == &loops.reactor();
                loops.finish();
            });
        });
        BOOST_TEST(got == 42);
        BOOST_TEST(on_reactor_thread);
    });
}

BOOST_AUTO_TEST_CASE(a_void_coroutine_fires_a_void_deferred) {
    for_each_mode([](Loops& loops) {
        bool fired = false;
        loops.run([&] {
            as_deferred(loops.executor(), sleep_for(1ms)).add_callback([&] {
                fired = true;
                loops.finish();
            });
        });
        BOOST_TEST(fired);
    });
}

BOOST_AUTO_TEST_CASE(a_result_type_without_default_constructor_crosses) {
    for_each_mode([](Loops& loops) {
        int got = 0;
        loops.run([&] {
            as_deferred(loops.executor(), token_after(1ms)).add_callback([&](Token t) {
                got = t.value;
                loops.finish();
            });
        });
        BOOST_TEST(got == 7);
    });
}

BOOST_AUTO_TEST_CASE(a_coroutines_exception_reaches_the_errback_with_its_type) {
    for_each_mode([](Loops& loops) {
        bool is_user_error = false;
        loops.run([&] {
            as_deferred(loops.executor(), fail_after(1ms)).add_errback([&](const Failure& f) {
                is_user_error = f.check<UserError>();
                loops.finish();
            });
        });
        BOOST_TEST(is_user_error);
    });
}

BOOST_AUTO_TEST_CASE(cancelling_the_deferred_cancels_the_coroutine_and_fails_with_cancelled_error) {
    for_each_mode([](Loops& loops) {
        bool cancelled_error = false;
        bool coroutine_saw_abort = false;
        std::optional<Deferred<int>> handle;
        loops.run([&] {
            // Coroutine lambdas take what they need as parameters: a capture would dangle once
            // the lambda object is gone (DESIGN's pitfall), parameters live in the frame. The
            // coroutine asks for its own cancellation once it is surely waiting, so the test
            // does not depend on when the other thread starts it.
            auto coroutine = [](Loops* l, std::optional<Deferred<int>>* h,
                                bool* saw_abort) -> asio::awaitable<int> {
                l->reactor().call_from_thread([h] { (*h)->cancel(); });
                try {
                    co_await sleep_for(60s);
                } catch (const boost::system::system_error& e) {
                    *saw_abort = e.code() == asio::error::operation_aborted;
                    throw;
                }
                co_return 1;
            };
            handle =
                as_deferred(loops.executor(), coroutine(&loops, &handle, &coroutine_saw_abort));
            handle->add_errback([&](const Failure& f) {
                cancelled_error = f.check<CancelledError>();
                loops.finish();
                return 0;
            });
        });
        BOOST_TEST(coroutine_saw_abort);
        BOOST_TEST(cancelled_error);
    });
}

BOOST_AUTO_TEST_CASE(a_coroutine_that_finishes_anyway_after_cancel_gives_its_value) {
    for_each_mode([](Loops& loops) {
        int got = 0;
        std::optional<Deferred<int>> handle;
        loops.run([&] {
            auto coroutine = [](Loops* l, std::optional<Deferred<int>>* h) -> asio::awaitable<int> {
                l->reactor().call_from_thread([h] { (*h)->cancel(); });
                try {
                    co_await sleep_for(60s);
                } catch (const boost::system::system_error&) {
                    co_return 5;  // swallows the cancellation
                }
                co_return 1;
            };
            handle = as_deferred(loops.executor(), coroutine(&loops, &handle));
            handle->add_callback([&](int v) {
                got = v;
                loops.finish();
                return v;
            });
        });
        BOOST_TEST(got == 5);
    });
}

BOOST_AUTO_TEST_CASE(an_abort_the_deferred_did_not_ask_for_is_passed_through_as_is) {
    for_each_mode([](Loops& loops) {
        bool system_error = false;
        loops.run([&] {
            auto coroutine = []() -> asio::awaitable<void> {
                throw boost::system::system_error(asio::error::operation_aborted);
                co_return;
            };
            as_deferred(loops.executor(), coroutine()).add_errback([&](const Failure& f) {
                system_error = f.check<boost::system::system_error>() && !f.check<CancelledError>();
                loops.finish();
            });
        });
        BOOST_TEST(system_error);
    });
}

BOOST_AUTO_TEST_CASE(dropping_the_deferred_lets_the_coroutine_finish) {
    for_each_mode([](Loops& loops) {
        std::atomic<bool> finished{false};
        loops.run([&] {
            auto coroutine = [](std::atomic<bool>* done, Loops* l) -> asio::awaitable<void> {
                co_await sleep_for(1ms);
                *done = true;
                l->finish();
            };
            (void)as_deferred(loops.executor(), coroutine(&finished, &loops));
        });
        BOOST_TEST(finished.load());
    });
}

BOOST_AUTO_TEST_CASE(cancelled_before_it_started_the_body_never_runs) {
    TwoLoops loops;
    bool body_ran = false;
    bool cancelled_error = false;
    std::promise<void> release_asio_thread;
    auto released = release_asio_thread.get_future().share();
    loops.run([&] {
        // Hold the Asio thread so the coroutine cannot start before we cancel.
        asio::post(loops.executor(), [released] { released.wait(); });
        auto coroutine = [](bool* ran) -> asio::awaitable<void> {
            *ran = true;
            co_return;
        };
        auto d = as_deferred(loops.executor(), coroutine(&body_ran));
        d.add_errback([&](const Failure& f) {
            cancelled_error = f.check<CancelledError>();
            loops.finish();
        });
        d.cancel();
        release_asio_thread.set_value();
    });
    BOOST_TEST(!body_ran);
    BOOST_TEST(cancelled_error);
}

BOOST_AUTO_TEST_SUITE_END()
