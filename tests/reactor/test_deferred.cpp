// Deferred<T>: firing, callbacks and errbacks, re-typing, re-entrancy.
#include "reactor/deferred.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
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
struct OtherError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred)

BOOST_AUTO_TEST_CASE(callback_passes_the_value_to_the_first_callback) {
    Deferred<int> d;
    int seen = 0;
    d.add_callback([&](int v) { seen = v; });
    BOOST_TEST(seen == 0);
    d.callback(7);
    BOOST_TEST(seen == 7);
}

BOOST_AUTO_TEST_CASE(each_callback_receives_what_the_previous_one_returned) {
    Deferred<int> d;
    std::vector<int> seen;
    d.add_callback([&](int v) {
        seen.push_back(v);
        return v * 10;
    });
    d.add_callback([&](int v) {
        seen.push_back(v);
        return v + 1;
    });
    d.callback(2);
    BOOST_TEST(seen == (std::vector<int>{2, 20}));
    BOOST_TEST(success_result_of(d) == 21);
}

BOOST_AUTO_TEST_CASE(firing_twice_raises_already_called_error_in_every_combination) {
    auto failure = Failure::from(UserError("x"));
    {
        Deferred<int> d;
        d.callback(1);
        BOOST_CHECK_THROW(d.callback(2), AlreadyCalledError);
        BOOST_CHECK_THROW(d.errback(failure), AlreadyCalledError);
    }
    {
        Deferred<int> d;
        d.errback(failure);
        BOOST_CHECK_THROW(d.callback(2), AlreadyCalledError);
        BOOST_CHECK_THROW(d.errback(failure), AlreadyCalledError);
        (void)failure_result_of(d);
    }
}

BOOST_AUTO_TEST_CASE(add_callback_retypes_the_chain) {
    Deferred<int> d;
    Deferred<std::string> s = d.add_callback([](int v) { return std::to_string(v); });
    Deferred<std::size_t> n = s.add_callback([](const std::string& v) { return v.size(); });
    d.callback(12345);
    BOOST_TEST(success_result_of(n) == 5u);
}

BOOST_AUTO_TEST_CASE(a_stale_handle_refuses_callbacks_after_the_chain_was_retyped) {
    Deferred<int> d;
    auto s = d.add_callback([](int v) { return std::to_string(v); });
    BOOST_CHECK_THROW(d.add_callback([](int v) { return v; }), std::logic_error);
    BOOST_CHECK_THROW(s.callback("not the head type"), std::logic_error);
    d.callback(1);
    BOOST_TEST(success_result_of(s) == "1");
}

BOOST_AUTO_TEST_CASE(a_handle_of_the_same_type_keeps_working_like_twisted) {
    Deferred<int> d;
    d.add_callback([](int v) { return v + 1; });
    d.add_callback([](int v) { return v * 2; });
    d.callback(1);
    BOOST_TEST(success_result_of(d) == 4);
}

BOOST_AUTO_TEST_CASE(an_exception_thrown_by_a_callback_reaches_the_next_errback) {
    Deferred<int> d;
    bool skipped_ran = false;
    std::string seen;
    d.add_callback([](int) -> int { throw UserError("boom"); });
    d.add_callback([&](int v) {
        skipped_ran = true;
        return v;
    });
    d.add_errback([&](const Failure& f) {
        seen = f.describe();
        return 0;
    });
    d.callback(1);
    BOOST_TEST(!skipped_ran);
    BOOST_TEST(seen.find("UserError: boom") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_errback_returning_a_value_puts_the_chain_back_on_the_success_path) {
    Deferred<int> d;
    int after = 0;
    d.add_errback([](const Failure&) { return 42; });
    d.add_callback([&](int v) { after = v; });
    d.errback(Failure::from(UserError("x")));
    BOOST_TEST(after == 42);
}

BOOST_AUTO_TEST_CASE(an_errback_returning_a_failure_keeps_the_chain_failed) {
    Deferred<int> d;
    d.add_errback([](const Failure&) { return Failure::from(OtherError("replaced")); });
    d.errback(Failure::from(UserError("x")));
    BOOST_TEST(failure_result_of(d).check<OtherError>());
}

BOOST_AUTO_TEST_CASE(trap_passes_unmatched_errors_through_with_their_original_type) {
    Deferred<int> d;
    std::vector<std::size_t> trapped;
    d.add_errback([&](const Failure& f) {
        trapped.push_back(f.trap<OtherError, CancelledError>());
        return 0;
    });
    d.errback(Failure::from(UserError("not trapped")));
    Failure f = failure_result_of(d);
    BOOST_TEST(trapped.empty());
    BOOST_CHECK_THROW(f.raise(), UserError);

    Deferred<int> e;
    e.add_errback([&](const Failure& f) {
        trapped.push_back(f.trap<OtherError, CancelledError>());
        return 1;
    });
    e.errback(Failure::from(CancelledError()));
    BOOST_TEST(trapped == std::vector<std::size_t>{1});
    BOOST_TEST(success_result_of(e) == 1);
}

BOOST_AUTO_TEST_CASE(errbacks_are_skipped_on_success_and_callbacks_on_failure) {
    Deferred<int> d;
    std::vector<std::string> calls;
    d.add_errback([&](const Failure&) {
        calls.push_back("eb1");
        return 0;
    });
    d.add_callback([&](int v) -> int {
        calls.push_back("cb");
        throw UserError(std::to_string(v));
    });
    d.add_callback([&](int v) {
        calls.push_back("cb-skipped");
        return v;
    });
    d.add_errback([&](const Failure&) {
        calls.push_back("eb2");
        return 0;
    });
    d.callback(5);
    BOOST_TEST(calls == (std::vector<std::string>{"cb", "eb2"}));
}

BOOST_AUTO_TEST_CASE(add_both_sees_values_and_failures) {
    Deferred<int> d;
    std::vector<bool> saw_value;
    d.add_both([&](Outcome<int> o) -> Outcome<int> {
        saw_value.push_back(o.has_value());
        return o;
    });
    d.add_callback([](int) -> int { throw UserError("x"); });
    d.add_both([&](Outcome<int> o) {
        saw_value.push_back(o.has_value());
        return std::string(o.has_value() ? "value" : "failure");
    });
    d.callback(1);
    BOOST_TEST(saw_value == (std::vector<bool>{true, false}));
}

BOOST_AUTO_TEST_CASE(add_callbacks_runs_one_side_and_the_errback_never_sees_the_callbacks_error) {
    Deferred<int> d;
    bool errback_ran = false;
    d.add_callbacks([](int) -> int { throw UserError("from callback"); },
                    [&](const Failure&) {
                        errback_ran = true;
                        return 0;
                    });
    d.callback(1);
    BOOST_TEST(!errback_ran);
    BOOST_TEST(failure_result_of(d).check<UserError>());
}

BOOST_AUTO_TEST_CASE(callbacks_added_to_a_fired_deferred_run_at_once) {
    Deferred<int> d;
    d.callback(3);
    int seen = 0;
    d.add_callback([&](int v) {
        seen = v;
        return v;
    });
    BOOST_TEST(seen == 3);
}

BOOST_AUTO_TEST_CASE(callbacks_added_by_a_running_callback_run_after_it_in_order) {
    Deferred<int> d;
    std::vector<int> order;
    d.add_callback([&](int v) {
        order.push_back(1);
        d.add_callback([&](int w) {
            order.push_back(3);
            return w;
        });
        order.push_back(2);
        return v;
    });
    d.callback(0);
    BOOST_TEST(order == (std::vector<int>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(void_deferreds_fire_without_a_value) {
    Deferred<void> d;
    int calls = 0;
    d.add_callback([&] { ++calls; });
    auto n = d.add_callback([&] { return ++calls; });
    d.callback();
    BOOST_TEST(success_result_of(n) == 2);
}

BOOST_AUTO_TEST_CASE(move_only_and_large_values_travel_through_the_chain) {
    Deferred<std::unique_ptr<int>> d;
    auto big = d.add_callback([](std::unique_ptr<int> p) {
        std::array<int, 64> a{};
        a[63] = *p;
        return a;
    });
    d.callback(std::make_unique<int>(9));
    BOOST_TEST(success_result_of(big)[63] == 9);
}

BOOST_AUTO_TEST_CASE(succeed_and_fail_make_fired_deferreds) {
    BOOST_TEST(success_result_of(succeed(5)) == 5);
    BOOST_TEST(succeed().has_result());
    BOOST_TEST(failure_result_of(fail<int>(UserError("x"))).check<UserError>());
    BOOST_TEST(has_no_result(Deferred<int>()));
}

BOOST_AUTO_TEST_SUITE_END()
