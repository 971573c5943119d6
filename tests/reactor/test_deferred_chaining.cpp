// Deferred<T>: callbacks returning Deferreds, pause/unpause, unbounded nesting in constant stack.
#include "reactor/deferred.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/stack.hpp"

using namespace interloop;
using interloop::testing::failure_result_of;
using interloop::testing::has_no_result;
using interloop::testing::success_result_of;

BOOST_AUTO_TEST_SUITE(deferred_chaining)

BOOST_AUTO_TEST_CASE(a_callback_returning_an_unfired_deferred_pauses_the_outer_chain) {
    Deferred<int> outer;
    Deferred<int> inner;
    std::vector<int> seen;
    outer.add_callback([&](int) { return inner; });
    outer.add_callback([&](int v) {
        seen.push_back(v);
        return v;
    });
    outer.callback(1);
    BOOST_TEST(seen.empty());
    BOOST_TEST(outer.called());
    BOOST_TEST(has_no_result(outer));
    inner.callback(2);
    BOOST_TEST(seen == std::vector<int>{2});
    BOOST_TEST(success_result_of(outer) == 2);
}

BOOST_AUTO_TEST_CASE(a_callback_returning_a_fired_deferred_takes_its_result_at_once) {
    Deferred<int> outer;
    Deferred<int> inner = succeed(5);
    outer.add_callback([&](int) { return inner; });
    outer.callback(1);
    BOOST_TEST(success_result_of(outer) == 5);
    BOOST_TEST(!inner.has_result());  // the inner Deferred donated its result
}

BOOST_AUTO_TEST_CASE(the_outer_chain_receives_the_inner_failure_and_it_is_not_reported_twice) {
    testing::LogCapture log;
    {
        Deferred<int> outer;
        Deferred<int> inner;
        outer.add_callback([&](int) { return inner; });
        outer.callback(1);
        inner.errback(Failure::from(std::runtime_error("inner broke")));
        BOOST_TEST(failure_result_of(outer).message() == "inner broke");
    }
    BOOST_TEST(log.count("Unhandled error") == 0u);
}

BOOST_AUTO_TEST_CASE(a_paused_inner_deferred_with_a_result_is_chained_not_taken) {
    Deferred<int> outer;
    Deferred<int> inner = succeed(3);
    inner.pause();
    outer.add_callback([&](int) { return inner; });
    outer.callback(1);
    BOOST_TEST(has_no_result(outer));
    inner.unpause();
    BOOST_TEST(success_result_of(outer) == 3);
}

BOOST_AUTO_TEST_CASE(pausing_the_outer_chain_does_not_stop_the_inner_one) {
    Deferred<int> outer;
    Deferred<int> inner;
    std::vector<int> inner_seen;
    inner.add_callback([&](int v) {
        inner_seen.push_back(v);
        return v + 1;
    });
    outer.add_callback([&](int) { return inner; });
    outer.callback(1);
    outer.pause();
    inner.callback(10);
    BOOST_TEST(inner_seen == std::vector<int>{10});
    BOOST_TEST(has_no_result(outer));
    outer.unpause();
    BOOST_TEST(success_result_of(outer) == 11);
}

BOOST_AUTO_TEST_CASE(callbacks_added_to_an_inner_deferred_after_it_donated_see_no_result) {
    Deferred<int> outer;
    Deferred<int> inner;
    outer.add_callback([&](int) { return inner; });
    outer.callback(1);
    inner.callback(2);
    inner.add_callback([](int v) { return v; });
    BOOST_TEST(testing::failure_result_of(inner).check<std::logic_error>());
    BOOST_TEST(success_result_of(outer) == 2);
}

BOOST_AUTO_TEST_CASE(pause_holds_callbacks_until_the_matching_unpause) {
    Deferred<int> d;
    int seen = 0;
    d.pause();
    d.pause();
    d.add_callback([&](int v) { seen = v; });
    d.callback(4);
    BOOST_TEST(seen == 0);
    d.unpause();
    BOOST_TEST(seen == 0);
    d.unpause();
    BOOST_TEST(seen == 4);
}

BOOST_AUTO_TEST_CASE(unpausing_before_firing_runs_nothing) {
    Deferred<int> d;
    int calls = 0;
    d.add_callback([&](int v) {
        ++calls;
        return v;
    });
    d.pause();
    d.unpause();
    BOOST_TEST(calls == 0);
    d.callback(1);
    BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(a_chain_can_change_type_through_an_inner_deferred) {
    Deferred<int> outer;
    Deferred<std::string> inner;
    auto s = outer.add_callback([&](int) { return inner; });
    static_assert(std::is_same_v<decltype(s), Deferred<std::string>>);
    outer.callback(1);
    inner.callback("via inner");
    BOOST_TEST(success_result_of(s) == "via inner");
}

BOOST_AUTO_TEST_CASE(a_callback_returning_its_own_deferred_fails_the_chain) {
    Deferred<int> d;
    d.add_callback([&](int) { return d; });
    d.callback(1);
    BOOST_TEST(failure_result_of(d).check<std::logic_error>());
}

// Builds `count` Deferreds where the callback of each returns the next one. With
// `fire_last_first` every inner Deferred already has its result when returned (taken at
// once); otherwise each chain waits on the next and the last fire unwinds them all.
static void chain_many(int count, bool fire_last_first) {
    std::vector<Deferred<int>> ds(count);
    for (int i = 0; i + 1 < count; ++i)
        ds[i].add_callback([next = ds[i + 1]](int) { return next; });
    if (fire_last_first) {
        for (int i = count - 1; i >= 0; --i) ds[i].callback(i);
    } else {
        for (int i = 0; i < count; ++i) ds[i].callback(i);
    }
    if (success_result_of(ds[0]) != count - 1) throw std::runtime_error("wrong result");
}

BOOST_AUTO_TEST_CASE(a_million_chained_fired_deferreds_run_in_a_256k_stack) {
    testing::run_with_stack(256 * 1024, [] { chain_many(1'000'000, true); });
}

BOOST_AUTO_TEST_CASE(a_million_chained_unfired_deferreds_unwind_in_a_256k_stack) {
    testing::run_with_stack(256 * 1024, [] { chain_many(1'000'000, false); });
}

BOOST_AUTO_TEST_CASE(dropping_a_million_waiting_chains_does_not_recurse) {
    testing::run_with_stack(256 * 1024, [] {
        testing::LogCapture log;
        {
            std::vector<Deferred<int>> ds(1'000'000);
            for (std::size_t i = 0; i + 1 < ds.size(); ++i)
                ds[i].add_callback([next = ds[i + 1]](int) { return next; });
            for (std::size_t i = 0; i + 1 < ds.size(); ++i) ds[i].callback(0);
        }
        // The last one was never fired: everyone waiting on it learns so once.
        if (log.count("DroppedDeferredError") != 1) throw std::runtime_error("expected one log");
    });
}

BOOST_AUTO_TEST_SUITE_END()
