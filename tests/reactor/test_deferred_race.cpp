// race (Twisted's race), and value lifetimes through every gathering function.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

#include "reactor/deferred_list.hpp"
#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `count` Deferreds whose cancellers count how often each was cancelled.
struct Racers {
    explicit Racers(std::size_t count) : cancelled(std::make_shared<std::vector<int>>(count)) {
        for (std::size_t i = 0; i < count; ++i)
            ds.emplace_back([c = cancelled, i](Deferred<int>&) { ++(*c)[i]; });
    }
    std::shared_ptr<std::vector<int>> cancelled;
    std::vector<Deferred<int>> ds;
};

FailureGroup failure_group_in(const Failure& failure) {
    try {
        failure.raise();
    } catch (const FailureGroup& group) {
        return group;
    }
}

/// A coroutine that survives one cancellation: it then waits for `second` instead.
Deferred<int> stubborn(Deferred<int> first, Deferred<int> second) {
    try {
        co_return co_await first;
    } catch (const CancelledError&) {
    }
    co_return co_await second;
}

struct CountedFixture {
    CountedFixture() { Counted::reset_counts(); }
    ~CountedFixture() { BOOST_TEST(Counted::alive() == 0); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(race_suite)

BOOST_AUTO_TEST_CASE(the_first_success_wins_and_every_other_member_is_cancelled) {
    for (std::size_t before = 0; before <= 3; ++before) {
        for (std::size_t after = 0; after <= 3; ++after) {
            Racers racers(before + 1 + after);
            auto winner = race(racers.ds);
            racers.ds[before].callback(7);
            auto result = success_result_of(winner);
            BOOST_TEST(result.index == before);
            BOOST_TEST(result.value == 7);
            std::vector<int> expected(before + 1 + after, 1);
            expected[before] = 0;  // the winner is not cancelled
            BOOST_TEST(*racers.cancelled == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(when_every_member_fails_the_race_fails_with_their_failures_in_input_order) {
    Racers racers(3);
    auto winner = race(racers.ds);
    racers.ds[2].errback(Failure::from(UserError("2")));
    racers.ds[0].errback(Failure::from(UserError("0")));
    BOOST_TEST(has_no_result(winner));
    racers.ds[1].errback(Failure::from(UserError("1")));
    auto group = failure_group_in(failure_result_of(winner));
    BOOST_REQUIRE(group.failures().size() == 3u);
    BOOST_TEST(group.failures()[0].message() == "0");
    BOOST_TEST(group.failures()[1].message() == "1");
    BOOST_TEST(group.failures()[2].message() == "2");
    BOOST_TEST(*racers.cancelled == (std::vector<int>{0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(results_arriving_after_the_race_was_decided_go_nowhere_and_are_not_logged) {
    LogCapture log;
    {
        std::vector<Deferred<int>> ds(4);  // no cancellers: each swallows one late fire
        auto winner = race(ds);
        ds[1].callback(1);
        ds[2].callback(2);  // already cancelled: this late fire is swallowed
        BOOST_TEST(success_result_of(winner).index == 1u);
    }
    BOOST_TEST(log.lines.empty());
}

BOOST_AUTO_TEST_CASE(losers_failures_are_consumed_even_when_they_are_not_cancellation) {
    LogCapture log;
    {
        Deferred<int> slow([](Deferred<int>& d) { d.errback(Failure::from(UserError("late"))); });
        auto winner = race({succeed(1), slow});
        BOOST_TEST(success_result_of(winner).value == 1);
    }
    BOOST_TEST(log.lines.empty());
}

BOOST_AUTO_TEST_CASE(a_loser_whose_canceller_succeeds_does_not_replace_the_winner) {
    Deferred<int> winner_member;
    Deferred<int> loser([](Deferred<int>& d) { d.callback(99); });
    auto winner = race({winner_member, loser});
    winner_member.callback(5);
    auto result = success_result_of(winner);
    BOOST_TEST(result.index == 0u);
    BOOST_TEST(result.value == 5);
}

BOOST_AUTO_TEST_CASE(cancelling_the_race_cancels_every_member_and_fails_with_a_failure_group) {
    for (std::size_t count = 1; count <= 3; ++count) {
        Racers racers(count);
        auto winner = race(racers.ds);
        winner.cancel();
        BOOST_TEST(*racers.cancelled == std::vector<int>(count, 1));
        auto group = failure_group_in(failure_result_of(winner));
        BOOST_TEST(group.failures().size() == count);
        BOOST_TEST(group.failures()[0].check<CancelledError>());
    }
}

BOOST_AUTO_TEST_CASE(a_race_of_already_fired_members_is_won_by_the_first_success) {
    Racers racers(2);
    auto winner = race({fail<int>(UserError("x")), succeed(3), racers.ds[0], racers.ds[1]});
    auto result = success_result_of(winner);
    BOOST_TEST(result.index == 1u);
    BOOST_TEST(result.value == 3);
    BOOST_TEST(*racers.cancelled == (std::vector<int>{1, 1}));  // attached after the win
}

BOOST_AUTO_TEST_CASE(a_race_of_nothing_fails_at_once_with_an_empty_failure_group) {
    auto winner = race(std::vector<Deferred<int>>{});
    BOOST_TEST(failure_group_in(failure_result_of(winner)).failures().empty());
}

BOOST_AUTO_TEST_CASE(a_race_of_void_members_reports_the_winners_index) {
    Deferred<void> a, b;
    auto winner = race({a, b});
    static_assert(std::is_same_v<decltype(winner), Deferred<Indexed<void>>>);
    b.callback();
    BOOST_TEST(success_result_of(winner).index == 1u);
    BOOST_TEST(a.has_result());  // cancelled, and its CancelledError consumed into a success
    BOOST_CHECK_NO_THROW(success_result_of(a));
}

BOOST_AUTO_TEST_CASE(a_cancelled_list_fails_at_once_if_a_member_ignores_the_cancel) {
    Deferred<int> first, second;
    Deferred<int> member = stubborn(first, second);
    auto list = deferred_list({member});
    list.cancel();
    BOOST_TEST(failure_result_of(list).check<CancelledError>());
    second.callback(5);  // the member finishes later; the list ignores it
    BOOST_TEST(!member.has_result());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gathering_lifetimes)

BOOST_FIXTURE_TEST_CASE(no_value_leaks_or_is_destroyed_twice_in_any_gathering, CountedFixture) {
    LogCapture log;
    {
        Deferred<Counted> a, b, c;
        auto list = deferred_list({a, b, c});
        c.callback(Counted(3));
        a.callback(Counted(1));
        b.errback(Failure::from(UserError("b")));
        BOOST_TEST(success_result_of(list)[2].value().value == 3);
        (void)failure_result_of(b);
    }
    {
        Deferred<Counted> a, b;
        auto gathered = gather_results({a, b});
        b.callback(Counted(2));
        a.callback(Counted(1));
        auto values = success_result_of(gathered);
        BOOST_TEST(values[0].value + values[1].value == 3);
    }
    {
        Deferred<Counted> a, b, c;
        auto winner = race({a, b, c});
        b.callback(Counted(2));
        a.callback(Counted(1));  // swallowed late fire: never stored
        BOOST_TEST(success_result_of(winner).value.value == 2);
    }
    {
        Deferred<Counted> a, b;
        auto first = first_success({a, b});
        a.callback(Counted(1));
        b.callback(Counted(2));  // taken and dropped
        Deferred<Counted> never;
        auto pending = deferred_list({never, succeed(Counted(4))});  // dropped unfinished
    }
    {
        Deferred<Counted> a;
        auto gathered = gather_results({a, fail<Counted>(UserError("x"))}, true);
        a.callback(Counted(1));  // arrives after the list failed
        (void)failure_result_of(gathered);
    }
}

BOOST_AUTO_TEST_SUITE_END()
