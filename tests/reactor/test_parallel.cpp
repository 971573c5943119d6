// parallel(cooperator, n, range, f): Scrapy's bounded parallel map, on the manual Clock.
#include "reactor/parallel.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <ranges>
#include <stdexcept>
#include <vector>

#include "reactor/clock.hpp"
#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    explicit UserError(const std::string& what) : std::runtime_error(what) {}
};

/// Hands out one unfired Deferred per call and tracks how many are outstanding.
struct Flight {
    std::vector<int> started;
    std::deque<Deferred<void>> outstanding;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;

    Deferred<void> start(int element) {
        started.push_back(element);
        max_in_flight = std::max(max_in_flight, ++in_flight);
        Deferred<void> d;
        outstanding.push_back(d);
        return d.add_both([this](const Outcome<void>& o) -> Outcome<void> {
            --in_flight;
            return o;
        });
    }
    /// Fires the oldest outstanding call (with `failure` if given).
    void finish_oldest(std::optional<Failure> failure = std::nullopt) {
        Deferred<void> d = outstanding.front();
        outstanding.pop_front();
        if (failure)
            d.errback(*failure);
        else
            d.callback();
    }
};

std::vector<int> up_to(int n) {
    std::vector<int> v;
    for (int i = 0; i < n; ++i) v.push_back(i);
    return v;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(parallel_tests)

BOOST_AUTO_TEST_CASE(at_most_n_calls_are_in_flight_and_each_element_starts_once_in_order) {
    Clock clock;
    Cooperator coop(clock);
    Flight flight;
    const std::vector<int> elements = up_to(20);
    Deferred<void> all = parallel(coop, 3, elements, [&](int e) { return flight.start(e); });
    clock.advance(0s);
    BOOST_TEST(flight.in_flight == 3u);
    int round = 0;
    while (!flight.outstanding.empty()) {
        // Finish the oldest, or every other round the two oldest, then let the workers go on.
        flight.finish_oldest();
        if (++round % 2 == 0 && !flight.outstanding.empty()) flight.finish_oldest();
        BOOST_TEST(has_no_result(all));  // the workers see the end on their next turn
        clock.advance(0s);
    }
    BOOST_TEST(flight.max_in_flight == 3u);
    BOOST_TEST(flight.started == elements, boost::test_tools::per_element());
    BOOST_CHECK_NO_THROW(success_result_of(all));
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(a_synchronous_function_is_called_for_every_element) {
    Clock clock;
    Cooperator coop(clock);
    std::vector<int> seen;
    Deferred<void> all = parallel(coop, 4, up_to(10), [&](int e) { seen.push_back(e); });
    BOOST_TEST(seen.empty());  // the work runs on the Cooperator's ticks
    clock.advance(0s);
    BOOST_TEST(seen == up_to(10), boost::test_tools::per_element());
    BOOST_CHECK_NO_THROW(success_result_of(all));
}

BOOST_AUTO_TEST_CASE(a_failing_call_does_not_stop_the_others_and_the_first_failure_is_the_result) {
    LogCapture log;
    Clock clock;
    Cooperator coop(clock);
    Flight flight;
    std::vector<int> seen;
    Deferred<void> all = parallel(coop, 2, up_to(8), [&](int e) -> Deferred<void> {
        seen.push_back(e);
        if (e == 2) throw UserError("two");
        if (e == 5) return fail(UserError("five"));
        return succeed();
    });
    clock.advance(0s);
    BOOST_TEST(seen == up_to(8), boost::test_tools::per_element());
    Failure failure = failure_result_of(all);
    BOOST_TEST(failure.check<UserError>());
    BOOST_TEST(failure.message() == "two");
    BOOST_TEST(log.count("Unhandled error in parallel") == 1u);
    BOOST_TEST(log.count("five") == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_deferred_keeps_its_worker_going) {
    Clock clock;
    Cooperator coop(clock);
    Flight flight;
    Deferred<void> all = parallel(coop, 1, up_to(3), [&](int e) { return flight.start(e); });
    clock.advance(0s);
    flight.finish_oldest(Failure::from(UserError("first")));
    clock.advance(0s);
    BOOST_TEST(flight.started == up_to(2), boost::test_tools::per_element());
    flight.finish_oldest();
    clock.advance(0s);
    flight.finish_oldest();
    clock.advance(0s);
    BOOST_TEST(flight.started == up_to(3), boost::test_tools::per_element());
    BOOST_TEST(failure_result_of(all).message() == "first");
}

BOOST_AUTO_TEST_CASE(an_empty_range_fires_on_the_next_tick) {
    Clock clock;
    Cooperator coop(clock);
    Deferred<void> all = parallel(coop, 3, std::vector<int>{}, [](int) {});
    BOOST_TEST(has_no_result(all));
    clock.advance(0s);
    BOOST_CHECK_NO_THROW(success_result_of(all));
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(n_of_zero_is_rejected) {
    Clock clock;
    Cooperator coop(clock);
    BOOST_CHECK_THROW(parallel(coop, 0, up_to(3), [](int) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_lazy_range_is_walked_once_and_values_of_deferreds_are_ignored) {
    Clock clock;
    Cooperator coop(clock);
    int produced = 0;
    auto lazy = std::views::iota(0, 6) | std::views::transform([&](int i) {
                    ++produced;
                    return i * i;
                });
    std::vector<int> seen;
    Deferred<void> all = parallel(coop, 2, lazy, [&](int square) {
        seen.push_back(square);
        return succeed(square);  // a Deferred<int>: the value is dropped
    });
    clock.advance(0s);
    BOOST_TEST(seen == (std::vector<int>{0, 1, 4, 9, 16, 25}), boost::test_tools::per_element());
    BOOST_TEST(produced == 6);
    BOOST_CHECK_NO_THROW(success_result_of(all));
}

BOOST_AUTO_TEST_CASE(an_rvalue_range_is_owned_and_nothing_is_leaked) {
    Counted::reset_counts();
    {
        Clock clock;
        Cooperator coop(clock);
        std::vector<Counted> values;
        for (int i = 0; i < 5; ++i) values.emplace_back(i);
        int sum = 0;
        std::vector<Deferred<void>> gates;
        Deferred<void> all = parallel(coop, 2, std::move(values), [&](const Counted& c) {
            sum += c.check().value;
            return gates.emplace_back();
        });
        clock.advance(0s);
        for (std::size_t i = 0; i < gates.size(); ++i) {  // gates grows as workers go on
            gates[i].callback();
            clock.advance(0s);
        }
        BOOST_TEST(sum == 0 + 1 + 2 + 3 + 4);
        BOOST_CHECK_NO_THROW(success_result_of(all));
    }
    BOOST_TEST(Counted::alive() == 0);
}

BOOST_AUTO_TEST_CASE(cancelling_starts_no_more_calls_and_fails_with_cancelled_error) {
    Clock clock;
    Cooperator coop(clock);
    Flight flight;
    Deferred<void> all = parallel(coop, 2, up_to(10), [&](int e) { return flight.start(e); });
    clock.advance(0s);
    all.cancel();
    BOOST_TEST(failure_result_of(all).check<CancelledError>());
    while (!flight.outstanding.empty()) flight.finish_oldest();  // not cancelled: they finish
    clock.advance(0s);
    BOOST_TEST(flight.started == up_to(2), boost::test_tools::per_element());
    BOOST_TEST(clock.pending_calls().empty());
}

BOOST_AUTO_TEST_CASE(stopping_the_cooperator_fails_parallel_with_scheduler_stopped) {
    Clock clock;
    Cooperator coop(clock);
    Flight flight;
    Deferred<void> all = parallel(coop, 2, up_to(10), [&](int e) { return flight.start(e); });
    clock.advance(0s);
    coop.stop();
    BOOST_TEST(failure_result_of(all).check<SchedulerStopped>());
    while (!flight.outstanding.empty()) flight.finish_oldest();
    clock.advance(0s);
    BOOST_TEST(flight.started.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
