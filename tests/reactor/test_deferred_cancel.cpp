// Deferred<T>: cancellation, cancellers, and the one swallowed late fire.
#include "reactor/deferred.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using interloop::testing::failure_result_of;
using interloop::testing::success_result_of;

namespace {
struct CancellerError : std::runtime_error {
    CancellerError() : std::runtime_error("from canceller") {}
};
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_cancel)

BOOST_AUTO_TEST_CASE(cancel_without_a_canceller_fails_with_cancelled_error) {
    Deferred<int> d;
    d.cancel();
    BOOST_TEST(failure_result_of(d).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(after_a_cancel_without_canceller_one_late_fire_is_swallowed) {
    Deferred<int> d;
    d.cancel();
    BOOST_CHECK_NO_THROW(d.callback(1));  // the producer did not know
    BOOST_CHECK_THROW(d.callback(2), AlreadyCalledError);
    BOOST_TEST(failure_result_of(d).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(cancel_calls_the_canceller_once_with_the_deferred) {
    int calls = 0;
    Deferred<int> d([&](Deferred<int>&) { ++calls; });
    d.cancel();
    d.cancel();
    BOOST_TEST(calls == 1);
    BOOST_TEST(failure_result_of(d).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(a_canceller_that_fires_a_value_wins_over_cancelled_error) {
    Deferred<int> d([](Deferred<int>& self) { self.callback(99); });
    d.cancel();
    BOOST_TEST(success_result_of(d) == 99);
}

BOOST_AUTO_TEST_CASE(a_canceller_that_fires_its_own_error_keeps_that_error) {
    Deferred<int> d([](Deferred<int>& self) { self.errback(Failure::from(CancellerError())); });
    d.cancel();
    BOOST_TEST(failure_result_of(d).check<CancellerError>());
}

BOOST_AUTO_TEST_CASE(after_a_cancel_with_a_canceller_a_late_fire_raises) {
    Deferred<int> d([](Deferred<int>&) {});
    d.cancel();
    BOOST_CHECK_THROW(d.callback(1), AlreadyCalledError);
    (void)failure_result_of(d);
}

BOOST_AUTO_TEST_CASE(cancelling_a_fired_deferred_does_nothing) {
    int calls = 0;
    Deferred<int> d([&](Deferred<int>&) { ++calls; });
    d.callback(1);
    d.cancel();
    BOOST_TEST(calls == 0);
    BOOST_TEST(success_result_of(d) == 1);
}

BOOST_AUTO_TEST_CASE(cancelling_a_chain_waiting_on_an_inner_deferred_cancels_the_inner_one) {
    bool inner_cancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { inner_cancelled = true; });
    Deferred<int> outer;
    outer.add_callback([&](int) { return inner; });
    outer.callback(0);
    outer.cancel();
    BOOST_TEST(inner_cancelled);
    BOOST_TEST(failure_result_of(outer).check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(the_outer_chain_gets_whatever_the_inner_canceller_produced) {
    Deferred<int> inner([](Deferred<int>& self) { self.callback(7); });
    Deferred<int> outer;
    outer.add_callback([&](int) { return inner; });
    outer.callback(0);
    outer.cancel();
    BOOST_TEST(success_result_of(outer) == 7);
}

BOOST_AUTO_TEST_CASE(the_canceller_is_released_once_the_deferred_fires) {
    auto token = std::make_shared<int>(0);
    Deferred<int> d([token](Deferred<int>&) {});
    BOOST_TEST(token.use_count() == 2);
    d.callback(1);
    BOOST_TEST(token.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(an_exception_thrown_by_the_canceller_becomes_the_failure) {
    Deferred<int> d([](Deferred<int>&) { throw CancellerError(); });
    d.cancel();
    BOOST_TEST(failure_result_of(d).check<CancellerError>());
}

BOOST_AUTO_TEST_CASE(a_canceller_that_fires_and_then_throws_has_its_exception_logged) {
    testing::LogCapture log;
    Deferred<int> d([](Deferred<int>& self) {
        self.callback(1);
        throw CancellerError();
    });
    d.cancel();
    BOOST_TEST(success_result_of(d) == 1);
    BOOST_TEST(log.count("Exception in Deferred canceller") == 1u);
    BOOST_TEST(log.count("from canceller") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
