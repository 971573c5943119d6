// Stress: many threads calling call_from_thread on a running reactor, once per reactor in
// reactor_factories(). Also run under ThreadSanitizer (the TSan build runs this suite).

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

#include "tests/reactor/reactor_factories.hpp"

using namespace std::chrono_literals;
using interloop::testing::reactor_factories;

#define REACTOR_TEST(name) \
    BOOST_DATA_TEST_CASE(name, boost::unit_test::data::make(reactor_factories()), factory)

BOOST_AUTO_TEST_SUITE(call_from_thread_stress)

REACTOR_TEST(every_call_from_four_threads_runs_once_in_per_thread_order) {
    constexpr int threads = 4;
    constexpr int per_thread = 100'000;
    auto owner = factory.make();
    interloop::Reactor& reactor = *owner;
    // Only the loop thread touches these: call_from_thread is the one crossing point.
    std::vector<std::vector<int>> seen(threads);
    for (auto& s : seen) s.reserve(per_thread);
    long total = 0;
    std::atomic<bool> go{false};

    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
            for (int i = 0; i < per_thread; ++i)
                reactor.call_from_thread([&, t, i] {
                    seen[t].push_back(i);
                    if (++total == long(threads) * per_thread) reactor.stop();
                });
        });

    bool watchdog_fired = false;
    interloop::DelayedCall watchdog = reactor.call_later(120s, [&] {
        watchdog_fired = true;
        reactor.crash();
    });
    // Start the producers from inside the loop so calls arrive while it is running.
    reactor.call_soon([&] { go.store(true, std::memory_order_release); });
    reactor.run();
    for (std::thread& w : workers) w.join();
    if (watchdog.active()) watchdog.cancel();

    BOOST_TEST(!watchdog_fired);
    BOOST_TEST(total == long(threads) * per_thread);
    for (int t = 0; t < threads; ++t) {
        BOOST_REQUIRE(seen[t].size() == std::size_t(per_thread));
        int out_of_order = 0;
        for (int i = 0; i < per_thread; ++i) out_of_order += seen[t][i] != i;
        BOOST_TEST(out_of_order == 0);
    }
}

REACTOR_TEST(calls_racing_with_reactor_shutdown_all_run_on_a_later_run) {
    // Calls queued after run() returned are not lost: they run on the next run().
    auto owner = factory.make();
    interloop::Reactor& reactor = *owner;
    int ran = 0;
    std::thread producer([&] {
        for (int i = 0; i < 10'000; ++i) {
            reactor.call_from_thread([&] { ++ran; });
        }
    });
    reactor.call_later(1ms, [&] { reactor.stop(); });
    reactor.run();
    producer.join();
    reactor.call_from_thread([&] { reactor.stop(); });
    reactor.run();
    BOOST_TEST(ran == 10'000);
}

BOOST_AUTO_TEST_SUITE_END()
