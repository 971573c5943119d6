// maybe_deferred: every kind of function result turned into a Deferred (Twisted's maybeDeferred).
#include "reactor/maybe_deferred.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "tests/support/deferred_testing.hpp"

using namespace interloop;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int plus_five(int x) {
    return x + 5;
}

Deferred<int> doubled_later(Deferred<int> source) {
    int v = co_await source;
    co_return v * 2;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(maybe_deferred_suite)

BOOST_AUTO_TEST_CASE(a_plain_return_value_becomes_an_already_fired_deferred) {
    auto d = maybe_deferred([] { return std::string("value"); });
    static_assert(std::is_same_v<decltype(d), Deferred<std::string>>);
    BOOST_TEST(success_result_of(d) == "value");
}

BOOST_AUTO_TEST_CASE(the_arguments_are_passed_to_the_function) {
    auto d = maybe_deferred(plus_five, 10);
    static_assert(std::is_same_v<decltype(d), Deferred<int>>);
    BOOST_TEST(success_result_of(d) == 15);
}

BOOST_AUTO_TEST_CASE(the_function_runs_before_maybe_deferred_returns) {
    bool ran = false;
    auto d = maybe_deferred([&] { ran = true; });
    BOOST_TEST(ran);
    BOOST_TEST(d.called());
}

BOOST_AUTO_TEST_CASE(an_exception_becomes_a_failure_that_keeps_the_original_type) {
    auto d = maybe_deferred([]() -> int { throw UserError("that value is unacceptable"); });
    Failure failure = failure_result_of(d);
    BOOST_TEST(failure.check<UserError>());
    BOOST_TEST(failure.message() == "that value is unacceptable");
}

BOOST_AUTO_TEST_CASE(a_returned_deferred_is_handed_back_as_is) {
    Deferred<int> original;
    auto d = maybe_deferred([&] { return original; });
    BOOST_TEST(&d.state() == &original.state());
    BOOST_TEST(has_no_result(d));
    original.callback(3);
    BOOST_TEST(success_result_of(d) == 3);
}

BOOST_AUTO_TEST_CASE(a_returned_deferred_passes_its_failure_through_unchanged) {
    Deferred<int> original;
    auto d = maybe_deferred([&] { return original; });
    original.errback(Failure::from(UserError("late")));
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(a_returned_failure_fails_a_void_deferred_with_it) {
    auto failure = Failure::from(UserError("returned, not thrown"));
    auto d = maybe_deferred([&] { return failure; });
    static_assert(std::is_same_v<decltype(d), Deferred<void>>);
    Failure got = failure_result_of(d);
    BOOST_TEST((got.exception() == failure.exception()));  // the same exception object
}

BOOST_AUTO_TEST_CASE(a_returned_outcome_fires_with_its_value_or_its_failure) {
    auto good = maybe_deferred([] { return Outcome<int>(4); });
    static_assert(std::is_same_v<decltype(good), Deferred<int>>);
    BOOST_TEST(success_result_of(good) == 4);

    auto bad = maybe_deferred([] { return Outcome<int>(Failure::from(UserError("no"))); });
    BOOST_TEST(failure_result_of(bad).check<UserError>());

    auto nothing = maybe_deferred([] { return Outcome<void>(); });
    static_assert(std::is_same_v<decltype(nothing), Deferred<void>>);
    BOOST_TEST(nothing.has_result());
}

BOOST_AUTO_TEST_CASE(a_void_function_gives_a_fired_void_deferred) {
    int calls = 0;
    auto d = maybe_deferred([&] { ++calls; });
    static_assert(std::is_same_v<decltype(d), Deferred<void>>);
    BOOST_TEST(calls == 1);
    BOOST_TEST(d.has_result());
}

BOOST_AUTO_TEST_CASE(a_void_function_that_throws_gives_a_failed_void_deferred) {
    auto d = maybe_deferred([] { throw UserError("void"); });
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(a_deferred_coroutine_is_handed_back_with_its_eventual_result) {
    Deferred<int> source;
    auto d = maybe_deferred(doubled_later, source);
    BOOST_TEST(has_no_result(d));
    source.callback(21);
    BOOST_TEST(success_result_of(d) == 42);
}

BOOST_AUTO_TEST_CASE(move_only_arguments_and_results_are_moved_not_copied) {
    auto d = maybe_deferred([](std::unique_ptr<int> p) { return p; }, std::make_unique<int>(9));
    static_assert(std::is_same_v<decltype(d), Deferred<std::unique_ptr<int>>>);
    BOOST_TEST(*success_result_of(d) == 9);
}

BOOST_AUTO_TEST_CASE(a_returned_reference_is_copied_into_the_deferred) {
    std::vector<int> source{1, 2};
    auto d = maybe_deferred([&]() -> std::vector<int>& { return source; });
    static_assert(std::is_same_v<decltype(d), Deferred<std::vector<int>>>);
    source.push_back(3);
    BOOST_TEST(success_result_of(d).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
