// The task layer on every real reactor (reactor_factories()): a smoke test per utility, with
// delays of a few milliseconds. Exact timing behaviour is tested on the Clock.

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <vector>

#include "reactor/cooperator.hpp"
#include "reactor/looping_call.hpp"
#include "reactor/parallel.hpp"
#include "reactor/timeout.hpp"
#include "tests/reactor/reactor_factories.hpp"
#include "tests/reactor/reactor_testing.hpp"
#include "tests/support/deferred_testing.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::testing;

#define REACTOR_TEST(name) \
    BOOST_DATA_TEST_CASE(name, boost::unit_test::data::make(reactor_factories()), factory)

BOOST_AUTO_TEST_SUITE(task_on_reactors)

REACTOR_TEST(defer_later_and_add_timeout_fire_on_a_real_reactor) {
    auto reactor = factory.make();
    Deferred<int> later = defer_later(*reactor, 2ms, [] { return 7; });
    Deferred<int> never;
    Deferred<int> limited = add_timeout(never, 5ms, *reactor);
    limited.add_both([&](Outcome<int> o) {
        reactor->stop();
        return o;
    });
    const double start = reactor->seconds();
    run_guarded(*reactor);
    BOOST_TEST(reactor->seconds() - start >= 0.005);
    BOOST_TEST(success_result_of(later) == 7);
    BOOST_TEST(failure_result_of(limited).check<TimeoutError>());
}

REACTOR_TEST(looping_call_cooperator_and_parallel_run_on_a_real_reactor) {
    auto reactor = factory.make();
    int loops = 0;
    LoopingCall lc(*reactor, [&] {
        if (++loops == 3) lc.stop();
    });
    Cooperator coop(*reactor);
    int steps = 0;
    std::vector<int> seen;
    std::vector<Deferred<void>> parts = {
        lc.start(1ms),
        coop.coiterate([&] { return ++steps == 5 ? Step::done() : Step::more(); }),
        parallel(
            coop, 2, std::vector<int>{1, 2, 3, 4},
            [&](int e) { return defer_later(*reactor, 1ms, [&seen, e] { seen.push_back(e); }); }),
    };
    int pending = static_cast<int>(parts.size());
    for (Deferred<void>& part : parts)
        part.add_both([&](const Outcome<void>& o) {
            if (--pending == 0) reactor->stop();
            return o;
        });
    run_guarded(*reactor);
    for (Deferred<void>& part : parts) BOOST_CHECK_NO_THROW(success_result_of(part));
    BOOST_TEST(loops == 3);
    BOOST_TEST(steps == 5);
    BOOST_TEST(seen == (std::vector<int>{1, 2, 3, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
