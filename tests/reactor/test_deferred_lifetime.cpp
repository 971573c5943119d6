// Deferred<T>: unhandled-error reports, dropped Deferreds, and exact value lifetimes.
#include "reactor/deferred.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/counted.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using interloop::testing::Counted;
using interloop::testing::failure_result_of;
using interloop::testing::LogCapture;
using interloop::testing::success_result_of;

namespace {
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("the user's message") {}
};

struct CountedFixture {
    CountedFixture() { Counted::reset_counts(); }
    ~CountedFixture() { BOOST_TEST(Counted::alive() == 0); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(deferred_lifetime)

BOOST_AUTO_TEST_CASE(
    an_unhandled_failure_is_logged_with_type_and_message_when_the_last_handle_goes) {
    LogCapture log;
    {
        Deferred<int> d;
        Deferred<int> copy = d;
        d.errback(Failure::from(UserError()));
        d = Deferred<int>();
        BOOST_TEST(log.lines.empty());  // a handle still exists
    }
    BOOST_REQUIRE(log.lines.size() == 1u);
    BOOST_TEST((log.lines[0].level == log::Level::critical));
    BOOST_TEST(log.lines[0].message.find("Unhandled error in Deferred") != std::string::npos);
    BOOST_TEST(log.lines[0].message.find("UserError") != std::string::npos);
    BOOST_TEST(log.lines[0].message.find("the user's message") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failure_consumed_by_an_errback_is_not_reported) {
    LogCapture log;
    {
        Deferred<int> d;
        d.add_errback([](const Failure&) { return 0; });
        d.errback(Failure::from(UserError()));
    }
    BOOST_TEST(log.lines.empty());
}

BOOST_AUTO_TEST_CASE(a_failure_raised_by_the_last_callback_is_reported) {
    LogCapture log;
    {
        Deferred<int> d;
        d.add_callback([](int) -> int { throw UserError(); });
        d.callback(1);
    }
    BOOST_TEST(log.count("UserError") == 1u);
}

BOOST_AUTO_TEST_CASE(a_dropped_unfired_deferred_fails_its_callbacks_with_dropped_deferred_error) {
    LogCapture log;
    bool saw_drop = false;
    {
        Deferred<int> d;
        d.add_errback([&](const Failure& f) {
            saw_drop = f.check<DroppedDeferredError>();
            return 0;
        });
    }
    BOOST_TEST(saw_drop);
    BOOST_TEST(log.lines.empty());
}

BOOST_AUTO_TEST_CASE(a_dropped_unfired_deferred_without_callbacks_is_silent) {
    LogCapture log;
    { Deferred<int> d; }
    BOOST_TEST(log.lines.empty());
}

BOOST_AUTO_TEST_CASE(a_callback_returning_a_deferred_nobody_can_fire_fails_the_chain) {
    Deferred<int> d;
    d.add_callback([](int) { return Deferred<int>(); });
    d.callback(1);
    BOOST_TEST(failure_result_of(d).check<DroppedDeferredError>());
}

BOOST_AUTO_TEST_CASE(an_outer_chain_learns_when_its_inner_deferred_is_dropped) {
    Deferred<int> outer;
    auto inner = std::make_unique<Deferred<int>>();
    outer.add_callback([&](int) { return *inner; });
    outer.callback(1);
    BOOST_TEST(!outer.has_result());
    inner.reset();
    BOOST_TEST(failure_result_of(outer).check<DroppedDeferredError>());
}

BOOST_FIXTURE_TEST_CASE(values_are_destroyed_exactly_once_along_a_chain, CountedFixture) {
    {
        Deferred<Counted> d;
        d.add_callback([](Counted c) { return Counted(c.value + 1); });
        d.add_callback([](Counted) -> Counted { throw UserError(); });
        d.add_errback([](const Failure&) { return Counted(5); });
        d.add_both([](Outcome<Counted> o) { return o; });
        d.callback(Counted(1));
        BOOST_TEST(success_result_of(d).value == 5);
    }
}

BOOST_FIXTURE_TEST_CASE(values_taken_from_inner_deferreds_are_not_leaked, CountedFixture) {
    LogCapture log;
    {
        Deferred<Counted> outer;
        Deferred<Counted> fired_inner = succeed(Counted(2));
        Deferred<Counted> late_inner;
        outer.add_callback([&](Counted) { return fired_inner; });
        outer.add_callback([&](Counted) { return late_inner; });
        outer.callback(Counted(1));
        late_inner.callback(Counted(3));
        BOOST_TEST(success_result_of(outer).value == 3);
        Deferred<Counted> unread = succeed(Counted(4));  // destroyed holding its value
        Deferred<Counted> dropped;
        dropped.add_callback([](Counted c) { return c; });
    }
}

BOOST_FIXTURE_TEST_CASE(callables_and_their_captures_are_released_after_running, CountedFixture) {
    Deferred<int> d;
    d.add_callback([c = Counted(1)](int v) { return v + c.check().value; });
    BOOST_TEST(Counted::alive() == 1);
    d.callback(1);
    BOOST_TEST(Counted::alive() == 0);
    BOOST_TEST(success_result_of(d) == 2);
}

BOOST_FIXTURE_TEST_CASE(large_captures_on_the_heap_are_freed_too, CountedFixture) {
    LogCapture log;
    std::array<char, 256> padding{};
    {
        Deferred<int> d;
        d.add_callback([c = Counted(1), padding](int v) { return v + padding[0]; });
        d.add_callback([c = Counted(2), padding](int v) { return v; });
        d.callback(1);
        Deferred<int> never;
        never.add_callback([c = Counted(3), padding](int v) { return v; });
        never.pause();
    }
}

BOOST_AUTO_TEST_SUITE_END()
