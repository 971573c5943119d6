// deferred_list, first_success and gather_results (Twisted's DeferredList and gatherResults).
#include "reactor/deferred_list.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The exception inside a failure, copied out.
template <class E>
E exception_in(const Failure& failure) {
    try {
        failure.raise();
    } catch (const E& e) {
        return e;
    }
}

Failure user_error(const char* what) {
    return Failure::from(UserError(what));
}

void succeed_in_canceller(Deferred<std::string>& d) {
    d.callback("from the canceller");
}
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_list_suite)

BOOST_AUTO_TEST_CASE(results_are_in_input_order_when_members_complete_in_reverse_order) {
    Deferred<int> a, b, c;
    auto list = deferred_list({a, b, c});
    c.callback(3);
    b.callback(2);
    BOOST_TEST(has_no_result(list));
    a.callback(1);
    auto outcomes = success_result_of(list);
    BOOST_REQUIRE(outcomes.size() == 3u);
    BOOST_TEST(outcomes[0].value() == 1);
    BOOST_TEST(outcomes[1].value() == 2);
    BOOST_TEST(outcomes[2].value() == 3);
}

BOOST_AUTO_TEST_CASE(a_failed_member_is_an_outcome_and_does_not_fail_the_list) {
    Deferred<std::string> a, b, c;
    auto list = deferred_list({a, b, c});
    a.callback("1");
    b.add_errback([](const Failure&) { return std::string("handled"); });  // after the list
    b.errback(user_error("2"));
    c.callback("3");
    auto outcomes = success_result_of(list);
    BOOST_TEST(outcomes[0].value() == "1");
    BOOST_REQUIRE(!outcomes[1].has_value());
    BOOST_TEST(outcomes[1].failure().message() == "2");
    BOOST_TEST(outcomes[2].value() == "3");
}

BOOST_AUTO_TEST_CASE(an_empty_list_fires_at_once_with_an_empty_vector) {
    auto list = deferred_list(std::vector<Deferred<int>>{});
    BOOST_TEST(success_result_of(list).empty());
}

BOOST_AUTO_TEST_CASE(members_fired_before_the_list_was_made_are_collected_at_once) {
    Deferred<int> failed;
    failed.errback(user_error("early"));
    auto list = deferred_list({failed, succeed(2)}, {.consume_errors = true});
    auto outcomes = success_result_of(list);
    BOOST_TEST(!outcomes[0].has_value());
    BOOST_TEST(outcomes[1].value() == 2);
}

BOOST_AUTO_TEST_CASE(callbacks_added_to_a_member_before_the_list_shape_what_it_records) {
    Deferred<int> member;
    member.add_callback([](int v) { return v * 10; });
    auto list = deferred_list({member});
    member.callback(4);
    BOOST_TEST(success_result_of(list)[0].value() == 40);
}

BOOST_AUTO_TEST_CASE(the_list_takes_member_values_instead_of_copying_them) {
    Deferred<std::unique_ptr<int>> member;
    auto list = deferred_list({member});
    member.callback(std::make_unique<int>(5));
    BOOST_TEST(*success_result_of(list)[0].value() == 5);
    BOOST_TEST(!member.has_result());  // taken, as by co_await
}

BOOST_AUTO_TEST_CASE(fire_on_one_errback_fails_with_first_error_holding_the_failure_and_index) {
    Deferred<int> a, b, c;
    auto list = deferred_list({a, b, c}, {.fire_on_one_errback = true});
    a.callback(1);
    BOOST_TEST(has_no_result(list));
    b.errback(user_error("from b"));
    auto first = exception_in<FirstError>(failure_result_of(list));
    BOOST_TEST(first.index() == 1u);
    BOOST_TEST(first.failure().check<UserError>());
    BOOST_TEST(first.failure().message() == "from b");
    c.errback(user_error("ignored"));  // later results are ignored
    (void)failure_result_of(b);
    (void)failure_result_of(c);
}

BOOST_AUTO_TEST_CASE(fire_on_one_errback_fires_at_once_for_an_already_failed_member) {
    Deferred<int> failed, pending;
    failed.errback(user_error("bang"));
    auto list = deferred_list({failed, pending}, {.fire_on_one_errback = true});
    BOOST_TEST(exception_in<FirstError>(failure_result_of(list)).index() == 0u);
    (void)failure_result_of(failed);
    pending.callback(2);
}

BOOST_AUTO_TEST_CASE(without_consume_errors_the_member_keeps_its_failure) {
    Deferred<int> member;
    auto list = deferred_list({member});
    std::vector<std::string> trapped;
    member.add_errback([&](const Failure& f) {
        trapped.push_back(f.message());
        return 0;
    });
    member.errback(user_error("Bang"));
    BOOST_TEST(trapped == std::vector<std::string>{"Bang"});
    BOOST_TEST(success_result_of(list)[0].failure().message() == "Bang");
}

BOOST_AUTO_TEST_CASE(with_consume_errors_the_failure_is_recorded_then_taken_from_the_member) {
    Deferred<int> member;
    auto list = deferred_list({member}, {.consume_errors = true});
    bool errback_ran = false;
    member.add_errback([&](const Failure&) {
        errback_ran = true;
        return 0;
    });
    member.errback(user_error("Bang"));
    BOOST_TEST(!errback_ran);
    BOOST_TEST(success_result_of(list)[0].failure().message() == "Bang");
}

BOOST_AUTO_TEST_CASE(a_void_member_keeps_its_success_and_a_consumed_failure_becomes_one) {
    Deferred<void> ok, bad;
    auto list = deferred_list({ok, bad}, {.consume_errors = true});
    ok.callback();
    bad.errback(user_error("x"));
    auto outcomes = success_result_of(list);
    BOOST_TEST(outcomes[0].has_value());
    BOOST_TEST(!outcomes[1].has_value());
    BOOST_TEST(ok.has_result());
    BOOST_TEST(bad.has_result());
    BOOST_CHECK_NO_THROW(success_result_of(bad));
}

BOOST_AUTO_TEST_CASE(with_consume_errors_a_dropped_failed_member_is_not_reported) {
    LogCapture log;
    {
        Deferred<int> member;
        auto list = deferred_list({member}, {.consume_errors = true});
        member.errback(user_error("consumed"));
        BOOST_TEST(!success_result_of(list)[0].has_value());
    }
    BOOST_TEST(log.count("Unhandled error") == 0u);
}

BOOST_AUTO_TEST_CASE(without_consume_errors_a_dropped_failed_member_is_reported_as_unhandled) {
    LogCapture log;
    {
        Deferred<int> member;
        auto list = deferred_list({member});
        member.errback(user_error("kept"));
        BOOST_TEST(!success_result_of(list)[0].has_value());
        BOOST_TEST(log.count("Unhandled error") == 0u);  // the member is still held
    }
    BOOST_TEST(log.count("Unhandled error") == 1u);
    BOOST_TEST(log.count("kept") == 1u);
}

BOOST_AUTO_TEST_CASE(a_member_dropped_unfired_counts_as_failed_with_dropped_deferred_error) {
    LogCapture log;  // the member itself reports its DroppedDeferredError: errors not consumed
    auto member = std::make_unique<Deferred<int>>();
    auto list = deferred_list({*member});
    member.reset();
    BOOST_TEST(success_result_of(list)[0].failure().check<DroppedDeferredError>());
}

BOOST_AUTO_TEST_CASE(a_paused_member_destroyed_with_its_result_counts_as_dropped) {
    auto member = std::make_unique<Deferred<int>>();
    member->pause();
    member->callback(1);
    auto list = deferred_list({*member});
    BOOST_TEST(has_no_result(list));
    member.reset();
    BOOST_TEST(success_result_of(list)[0].failure().check<DroppedDeferredError>());
}

BOOST_AUTO_TEST_CASE(a_member_handle_of_the_wrong_type_is_rejected_before_anything_is_attached) {
    Deferred<int> good, retyped;
    retyped.add_callback([](int v) { return std::to_string(v); });
    BOOST_CHECK_THROW(deferred_list({good, retyped}), std::logic_error);
    good.callback(1);
    BOOST_TEST(success_result_of(good) == 1);  // untouched
    retyped.callback(2);
}

BOOST_AUTO_TEST_CASE(cancelling_the_list_cancels_every_unfired_member) {
    Deferred<int> a, b;
    auto list = deferred_list({a, b});
    list.cancel();
    BOOST_TEST(failure_result_of(a).check<CancelledError>());
    BOOST_TEST(failure_result_of(b).check<CancelledError>());
    auto outcomes = success_result_of(list);
    BOOST_TEST(outcomes[0].failure().check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(cancelling_fires_the_list_with_what_the_members_cancellers_produced) {
    Deferred<std::string> a(succeed_in_canceller), b;
    auto list = deferred_list({a, b});
    list.cancel();
    (void)failure_result_of(b);
    auto outcomes = success_result_of(list);
    BOOST_TEST(outcomes[0].value() == "from the canceller");
    BOOST_TEST(outcomes[1].failure().check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(cancelling_with_fire_on_one_errback_fails_with_first_error_of_cancelled) {
    Deferred<int> a, b;
    auto list = deferred_list({a, b}, {.fire_on_one_errback = true});
    list.cancel();
    BOOST_TEST(failure_result_of(a).check<CancelledError>());
    BOOST_TEST(failure_result_of(b).check<CancelledError>());  // cancelled all the same
    auto first = exception_in<FirstError>(failure_result_of(list));
    BOOST_TEST(first.failure().check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(cancelling_fires_with_values_when_every_canceller_succeeds) {
    Deferred<std::string> a(succeed_in_canceller), b(succeed_in_canceller);
    auto list = deferred_list({a, b}, {.fire_on_one_errback = true});
    list.cancel();
    auto outcomes = success_result_of(list);
    BOOST_TEST(outcomes[0].value() == "from the canceller");
    BOOST_TEST(outcomes[1].value() == "from the canceller");
}

BOOST_AUTO_TEST_CASE(a_member_canceller_that_throws_does_not_stop_the_others_being_cancelled) {
    Deferred<int> a([](Deferred<int>&) { throw UserError("canceller"); }), b;
    auto list = deferred_list({a, b});
    list.cancel();
    BOOST_TEST(failure_result_of(a).check<UserError>());
    BOOST_TEST(failure_result_of(b).check<CancelledError>());
    BOOST_TEST(success_result_of(list)[0].failure().check<UserError>());
}

BOOST_AUTO_TEST_CASE(cancelling_a_list_that_already_fired_does_nothing) {
    Deferred<int> a, b;
    auto list = deferred_list({a, b}, {.fire_on_one_errback = true});
    a.errback(user_error("test"));
    list.cancel();
    BOOST_TEST(has_no_result(b));
    BOOST_TEST(failure_result_of(a).check<UserError>());
    BOOST_TEST(failure_result_of(list).check<FirstError>());
    b.callback(2);  // ignored by the list
}

BOOST_AUTO_TEST_CASE(cancelling_reaches_the_inner_deferred_a_member_waits_on) {
    bool inner_cancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { inner_cancelled = true; });
    Deferred<int> member;
    member.add_callback([&](int) { return inner; });
    member.callback(0);
    auto list = deferred_list({member});
    list.cancel();
    BOOST_TEST(inner_cancelled);
    BOOST_TEST(success_result_of(list)[0].failure().check<CancelledError>());
    BOOST_TEST(failure_result_of(member).check<CancelledError>());  // kept: not consumed
}

BOOST_AUTO_TEST_CASE(first_success_fires_with_the_first_value_and_its_index) {
    Deferred<int> a, b, c;
    auto first = first_success({a, b, c});
    a.errback(user_error("a"));
    BOOST_TEST(has_no_result(first));
    c.callback(30);
    auto winner = success_result_of(first);
    BOOST_TEST(winner.index == 2u);
    BOOST_TEST(winner.value == 30);
    BOOST_TEST(has_no_result(b));  // the others keep running: nothing is cancelled
    b.callback(20);                // and their later results are ignored
    (void)failure_result_of(a);
}

BOOST_AUTO_TEST_CASE(first_success_fails_with_a_failure_group_in_input_order_when_all_fail) {
    Deferred<int> a, b;
    auto first = first_success({a, b}, true);
    b.errback(user_error("b"));
    a.errback(user_error("a"));
    auto group = exception_in<FailureGroup>(failure_result_of(first));
    BOOST_REQUIRE(group.failures().size() == 2u);
    BOOST_TEST(group.failures()[0].message() == "a");
    BOOST_TEST(group.failures()[1].message() == "b");
}

BOOST_AUTO_TEST_CASE(first_success_of_nothing_fails_at_once_with_an_empty_failure_group) {
    auto first = first_success(std::vector<Deferred<int>>{});
    BOOST_TEST(exception_in<FailureGroup>(failure_result_of(first)).failures().empty());
}

BOOST_AUTO_TEST_CASE(cancelling_first_success_gives_the_value_a_canceller_produced) {
    Deferred<std::string> a(succeed_in_canceller), b;
    auto first = first_success({a, b});
    first.cancel();
    BOOST_TEST(failure_result_of(b).check<CancelledError>());
    auto winner = success_result_of(first);
    BOOST_TEST(winner.index == 0u);
    BOOST_TEST(winner.value == "from the canceller");
}

BOOST_AUTO_TEST_CASE(cancelling_first_success_after_it_fired_does_nothing) {
    Deferred<void> a, b;
    auto first = first_success({a, b});
    a.callback();
    first.cancel();
    BOOST_TEST(has_no_result(b));
    BOOST_TEST(success_result_of(first).index == 0u);
    b.callback();
}

BOOST_AUTO_TEST_CASE(gather_results_gives_the_plain_values_in_input_order) {
    Deferred<int> a, b;
    auto gathered = gather_results({a, b});
    static_assert(std::is_same_v<decltype(gathered), Deferred<std::vector<int>>>);
    b.callback(2);
    a.callback(1);
    BOOST_TEST(success_result_of(gathered) == (std::vector<int>{1, 2}));
}

BOOST_AUTO_TEST_CASE(gather_results_fails_with_first_error_at_the_first_failure) {
    Deferred<int> failed = fail<int>(UserError("bad"));
    auto gathered = gather_results({succeed(1), failed});
    auto first = exception_in<FirstError>(failure_result_of(gathered));
    BOOST_TEST(first.index() == 1u);
    BOOST_TEST(first.failure().check<UserError>());
    (void)failure_result_of(failed);
}

BOOST_AUTO_TEST_CASE(gather_results_with_consume_errors_takes_the_failure_from_the_member) {
    Deferred<int> good = succeed(1), bad = fail<int>(UserError("oh noes"));
    auto gathered = gather_results({good, bad}, true);
    bool member_errback_ran = false;
    bad.add_errback([&](const Failure&) {
        member_errback_ran = true;
        return 0;
    });
    BOOST_TEST(!member_errback_ran);
    BOOST_TEST(exception_in<FirstError>(failure_result_of(gathered)).failure().check<UserError>());
}

BOOST_AUTO_TEST_CASE(gather_results_of_void_members_is_a_void_deferred) {
    Deferred<void> a, b;
    auto gathered = gather_results({a, b});
    static_assert(std::is_same_v<decltype(gathered), Deferred<void>>);
    a.callback();
    BOOST_TEST(has_no_result(gathered));
    b.callback();
    BOOST_TEST(gathered.has_result());
}

BOOST_AUTO_TEST_CASE(cancelling_gather_results_cancels_every_member) {
    Deferred<int> a, b;
    auto gathered = gather_results({a, b});
    gathered.cancel();
    BOOST_TEST(failure_result_of(a).check<CancelledError>());
    BOOST_TEST(failure_result_of(b).check<CancelledError>());
    auto first = exception_in<FirstError>(failure_result_of(gathered));
    BOOST_TEST(first.failure().check<CancelledError>());
}

BOOST_AUTO_TEST_CASE(cancelling_gather_results_gives_the_values_cancellers_produced) {
    Deferred<std::string> a(succeed_in_canceller), b(succeed_in_canceller);
    auto gathered = gather_results({a, b});
    gathered.cancel();
    auto values = success_result_of(gathered);
    BOOST_TEST(values == (std::vector<std::string>{"from the canceller", "from the canceller"}));
}

BOOST_AUTO_TEST_CASE(a_callback_returning_gather_results_resumes_its_chain_when_all_are_done) {
    Deferred<std::string> member;
    std::vector<std::string> seen;
    Deferred<void> outer;
    outer.add_callback([&] { return gather_results({member}); })
        .add_callback([&](std::vector<std::string> values) { seen = values; });
    outer.callback();
    BOOST_TEST(seen.empty());
    member.callback("withers");
    BOOST_TEST(seen == std::vector<std::string>{"withers"});
}

BOOST_AUTO_TEST_SUITE_END()
