// Deferred<T> as a coroutine type: co_await Deferreds, co_return, cancellation.
#include "reactor/deferred.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/stack.hpp"

using namespace interloop;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("user") {}
};

Deferred<int> add_one(Deferred<int> input, std::vector<std::string>* trace = nullptr) {
    if (trace) trace->push_back("started");
    int v = co_await input;
    if (trace) trace->push_back("resumed");
    co_return v + 1;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_coroutine)

BOOST_AUTO_TEST_CASE(a_coroutine_starts_synchronously_and_finishes_when_its_input_fires) {
    std::vector<std::string> trace;
    Deferred<int> input;
    Deferred<int> result = add_one(input, &trace);
    BOOST_TEST(trace == std::vector<std::string>{"started"});
    BOOST_TEST(has_no_result(result));
    input.callback(41);
    BOOST_TEST(trace.size() == 2u);
    BOOST_TEST(success_result_of(result) == 42);
}

BOOST_AUTO_TEST_CASE(awaiting_a_fired_deferred_does_not_suspend) {
    Deferred<int> result = add_one(succeed(1));
    BOOST_TEST(success_result_of(result) == 2);
}

BOOST_AUTO_TEST_CASE(a_failure_is_rethrown_at_the_co_await_with_its_original_type) {
    auto coro = [](Deferred<int> input) -> Deferred<std::string> {
        try {
            co_await input;
        } catch (const UserError&) {
            co_return "caught UserError";
        }
        co_return "not caught";
    };
    Deferred<int> input;
    auto result = coro(input);
    input.errback(Failure::from(UserError()));
    BOOST_TEST(success_result_of(result) == "caught UserError");
}

BOOST_AUTO_TEST_CASE(an_exception_escaping_the_coroutine_fails_its_deferred) {
    auto coro = []() -> Deferred<void> {
        co_await succeed();
        throw UserError();
    };
    BOOST_TEST(failure_result_of(coro()).check<UserError>());
}

BOOST_AUTO_TEST_CASE(coroutines_await_coroutines) {
    auto inner = [](Deferred<int> in) -> Deferred<int> { co_return (co_await in) * 2; };
    auto outer = [inner](Deferred<int> in) -> Deferred<int> {
        int doubled = co_await inner(in);
        co_return doubled + 1;
    };
    Deferred<int> in;
    auto result = outer(in);
    in.callback(20);
    BOOST_TEST(success_result_of(result) == 41);
}

BOOST_AUTO_TEST_CASE(awaiting_a_chained_deferred_gives_its_final_value) {
    Deferred<int> inner;
    Deferred<int> chained;
    chained.add_callback([&](int) { return inner; });
    chained.callback(0);
    auto result = add_one(chained);
    inner.callback(9);
    BOOST_TEST(success_result_of(result) == 10);
}

BOOST_AUTO_TEST_CASE(cancelling_the_coroutine_cancels_the_awaited_deferred_and_throws_there) {
    bool awaited_cancelled = false;
    bool saw_cancelled_error = false;
    Deferred<int> awaited([&](Deferred<int>&) { awaited_cancelled = true; });
    auto coro = [&](Deferred<int> in) -> Deferred<int> {
        try {
            co_return co_await in;
        } catch (const CancelledError&) {
            saw_cancelled_error = true;
            throw;
        }
    };
    auto result = coro(awaited);
    result.cancel();
    BOOST_TEST(awaited_cancelled);
    BOOST_TEST(saw_cancelled_error);
    BOOST_TEST(failure_result_of(result).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(a_coroutine_that_catches_the_cancellation_goes_on_and_can_be_cancelled_again) {
    Deferred<int> first;
    Deferred<int> second;
    Deferred<int> third;
    auto coro = [&]() -> Deferred<int> {
        try {
            co_await first;
        } catch (const CancelledError&) {
        }
        try {
            co_await second;
        } catch (const CancelledError&) {
        }
        co_return co_await third;
    };
    auto result = coro();
    result.cancel();
    BOOST_TEST(first.called());
    BOOST_TEST(!second.called());
    BOOST_TEST(has_no_result(result));
    result.cancel();
    BOOST_TEST(second.called());
    third.callback(3);
    BOOST_TEST(success_result_of(result) == 3);
}

BOOST_AUTO_TEST_CASE(a_value_produced_by_the_awaited_canceller_reaches_the_coroutine) {
    Deferred<int> awaited([](Deferred<int>& self) { self.callback(5); });
    auto result = add_one(awaited);
    result.cancel();
    BOOST_TEST(success_result_of(result) == 6);
}

BOOST_AUTO_TEST_CASE(cancelling_a_finished_coroutine_does_nothing) {
    auto result = add_one(succeed(1));
    result.cancel();
    BOOST_TEST(success_result_of(result) == 2);
}

BOOST_AUTO_TEST_CASE(awaiting_a_deferred_that_is_dropped_unfired_throws_dropped_deferred_error) {
    // The frame must not hold the Deferred itself (a by-value parameter would keep it alive,
    // and the coroutine would wait forever, as it would in Twisted).
    auto coro = [](Deferred<int>* source) -> Deferred<int> {
        co_return co_await Deferred<int>(*source) + 1;
    };
    auto awaited = std::make_unique<Deferred<int>>();
    auto result = coro(awaited.get());
    BOOST_TEST(has_no_result(result));
    awaited.reset();
    BOOST_TEST(failure_result_of(result).check<DroppedDeferredError>());
    auto await_orphan = []() -> Deferred<int> { co_return co_await Deferred<int>(); };
    BOOST_TEST(failure_result_of(await_orphan()).check<DroppedDeferredError>());
}

BOOST_AUTO_TEST_CASE(a_suspended_coroutine_lives_as_long_as_what_it_awaits) {
    testing::Counted::reset_counts();
    Deferred<int> awaited;
    {
        auto coro = [](Deferred<int> in) -> Deferred<int> {
            testing::Counted local(1);
            co_return (co_await in) + local.check().value;
        };
        (void)coro(awaited);  // result handle dropped at once
        BOOST_TEST(testing::Counted::alive() == 1);
    }
    awaited.callback(1);
    BOOST_TEST(testing::Counted::alive() == 0);
}

BOOST_AUTO_TEST_CASE(a_hundred_thousand_awaits_of_fired_deferreds_run_in_a_256k_stack) {
    testing::run_with_stack(256 * 1024, [] {
        auto coro = []() -> Deferred<long> {
            long sum = 0;
            for (int i = 0; i < 100'000; ++i) sum += co_await succeed(i);
            co_return sum;
        };
        if (success_result_of(coro()) != 4'999'950'000L) throw std::runtime_error("bad sum");
    });
}

BOOST_AUTO_TEST_CASE(a_hundred_thousand_unfired_awaits_resume_in_a_256k_stack) {
    testing::run_with_stack(256 * 1024, [] {
        std::vector<Deferred<int>> inputs(100'000);
        auto coro = [](std::vector<Deferred<int>>* in) -> Deferred<long> {
            long sum = 0;
            for (auto& d : *in) sum += co_await d;
            co_return sum;
        };
        auto result = coro(&inputs);
        for (int i = 0; i < 100'000; ++i) inputs[i].callback(1);
        if (success_result_of(result) != 100'000) throw std::runtime_error("bad sum");
    });
}

BOOST_AUTO_TEST_SUITE_END()
