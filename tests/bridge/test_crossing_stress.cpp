// Randomized stress: many crossings each way, random delays, random cancellation on both
// sides; every Deferred and coroutine settles exactly once and no value leaks.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <random>

#include "bridge/as_deferred.hpp"
#include "bridge/as_future.hpp"
#include "tests/bridge/bridge_testing.hpp"

using namespace interloop;
using namespace interloop::testing;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;
namespace asio = boost::asio;

namespace {

/// Counts live instances across threads (the values cross between the loops).
struct Payload {
    static inline std::atomic<long> alive{0};
    int value = 0;
    Payload() { ++alive; }
    explicit Payload(int v) : value(v) { ++alive; }
    Payload(const Payload& o) : value(o.value) { ++alive; }
    Payload(Payload&& o) noexcept : value(o.value) { ++alive; }
    Payload& operator=(const Payload&) = default;
    Payload& operator=(Payload&&) noexcept = default;
    ~Payload() { --alive; }
};

/// Per direction: how many operations started and how each one ended.
struct Tally {
    std::atomic<long> started{0}, values{0}, cancelled{0}, aborted{0}, settled{0};
    std::function<void()> on_settled;  // reactor thread
    long ended() const { return values + cancelled + aborted; }
    void settle() {
        ++settled;
        on_settled();
    }
};

int crossings_per_direction() {
    const char* env = std::getenv("INTERLOOP_STRESS_CROSSINGS");
    return env ? std::atoi(env) : 100'000;
}

constexpr int workers = 64;

std::chrono::microseconds random_delay(std::mt19937& rng) {
    return std::chrono::microseconds(std::uniform_int_distribution<int>(0, 400)(rng));
}

/// The Deferred side of one as_future crossing: fired already, soon, or after a delay, and
/// sometimes cancelled by its own side. `tally.settled` counts how it fired, once.
Deferred<Payload> produce(Reactor& reactor, std::mt19937& rng, int i, Tally& tally) {
    Deferred<Payload> d;
    d.add_both([&tally](Outcome<Payload> o) {
        tally.settle();
        return o;
    });
    switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
        case 0:
            d.callback(Payload(i));
            break;
        case 1:
            reactor.call_soon([d, i]() mutable { d.callback(Payload(i)); });
            break;
        default:
            reactor.call_later(random_delay(rng), [d, i]() mutable {
                if (!d.called()) d.callback(Payload(i));
            });
    }
    if (std::uniform_int_distribution<int>(0, 4)(rng) == 0)
        reactor.call_later(random_delay(rng), [d]() mutable { d.cancel(); });
    return d;
}

/// One Asio worker awaiting `count` Deferreds, cancelling some of its waits with a timer.
asio::awaitable<void> await_worker(Loops* loops, int count, unsigned seed, Tally* tally,
                                   std::mt19937* reactor_rng) {
    std::mt19937 rng(seed);
    for (int i = 0; i < count; ++i) {
        ++tally->started;
        auto make = [=] { return produce(loops->reactor(), *reactor_rng, i, *tally); };
        try {
            if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
                auto r = co_await (as_future(loops->reactor(), make) || sleep_for(200us));
                if (r.index() == 0)
                    ++tally->values;
                else
                    ++tally->aborted;  // the timer won: the wait was cancelled
            } else {
                Payload p = co_await as_future(loops->reactor(), make);
                if (p.value == i) ++tally->values;
            }
        } catch (const CancelledError&) {
            ++tally->cancelled;
        }
    }
}

/// The Asio side of one as_deferred crossing: finishes after a random delay; some abort.
asio::awaitable<Payload> compute(int i, std::chrono::microseconds delay) {
    co_await sleep_for(delay);
    co_return Payload(i);
}

/// A coroutine parameter that counts the frame's destruction: it lives in the frame whether
/// or not the body ever runs (a coroutine cancelled before it started never does).
struct FrameCount {
    std::atomic<long>* done;
    explicit FrameCount(std::atomic<long>* d) : done(d) {}
    FrameCount(FrameCount&& other) noexcept : done(std::exchange(other.done, nullptr)) {}
    ~FrameCount() {
        if (done) ++*done;
    }
};

/// One reactor-side worker awaiting `count` coroutines, cancelling some of them.
Deferred<void> spawn_worker(Loops* loops, int count, unsigned seed, Tally* tally,
                            std::atomic<long>* coroutines_done) {
    std::mt19937 rng(seed);
    for (int i = 0; i < count; ++i) {
        ++tally->started;
        auto work = [](int n, std::chrono::microseconds delay,
                       FrameCount) -> asio::awaitable<Payload> {
            co_return co_await compute(n, delay);
        };
        auto d =
            as_deferred(loops->executor(), work(i, random_delay(rng), FrameCount{coroutines_done}));
        d.add_both([tally](Outcome<Payload> o) {
            tally->settle();
            return o;
        });
        if (std::uniform_int_distribution<int>(0, 3)(rng) == 0)
            loops->reactor().call_later(random_delay(rng), [d]() mutable { d.cancel(); });
        try {
            Payload p = co_await d;
            if (p.value == i) ++tally->values;
        } catch (const CancelledError&) {
            ++tally->cancelled;
        }
    }
}

void stress(Loops& loops) {
    const int per_worker = crossings_per_direction() / workers;
    Tally awaits, spawns;
    std::atomic<long> coroutines_done{0};
    std::mt19937 reactor_rng(2026);
    std::atomic<int> workers_left{2 * workers};
    std::exception_ptr error;
    const long expected = long(per_worker) * workers;
    // Done when every worker ended and every Deferred fired: a wait cancelled by its timer
    // leaves its Deferred to fire later.
    auto maybe_finish = [&] {
        if (workers_left == 0 && awaits.settled == expected && spawns.settled == expected)
            loops.finish();
    };
    awaits.on_settled = maybe_finish;
    spawns.on_settled = maybe_finish;
    auto worker_done = [&] {
        --workers_left;
        if (Reactor::current() == &loops.reactor())
            maybe_finish();
        else
            loops.reactor().call_from_thread(maybe_finish);
    };
    loops.run(
        [&] {
            for (int w = 0; w < workers; ++w) {
                asio::co_spawn(loops.executor(),
                               await_worker(&loops, per_worker, 1000 + w, &awaits, &reactor_rng),
                               [&](std::exception_ptr e) {
                                   if (e) error = e;
                                   worker_done();
                               });
                spawn_worker(&loops, per_worker, 5000 + w, &spawns, &coroutines_done)
                    .add_both([&](Outcome<void> o) {
                        if (!o.has_value()) error = o.failure().exception();
                        worker_done();
                    });
            }
        },
        std::chrono::seconds(600));
    rethrow_if_set(error);
    BOOST_TEST(awaits.started.load() == expected);
    BOOST_TEST(awaits.ended() == expected);
    BOOST_TEST(awaits.settled.load() == expected);  // every Deferred fired exactly once
    BOOST_TEST(spawns.started.load() == expected);
    BOOST_TEST(spawns.ended() == expected);
    BOOST_TEST(spawns.settled.load() == expected);
    BOOST_TEST(coroutines_done.load() == expected);  // every coroutine ended exactly once
    BOOST_TEST_MESSAGE(loops.name()
                       << ": as_future " << awaits.values << " values, " << awaits.cancelled
                       << " cancelled, " << awaits.aborted << " aborted; as_deferred "
                       << spawns.values << " values, " << spawns.cancelled << " cancelled");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crossing_stress)

BOOST_AUTO_TEST_CASE(every_crossing_settles_exactly_once_on_a_shared_loop) {
    {
        SharedLoop loops;
        stress(loops);
    }
    BOOST_TEST(Payload::alive.load() == 0);
}

BOOST_AUTO_TEST_CASE(every_crossing_settles_exactly_once_across_two_loops) {
    {
        TwoLoops loops;
        stress(loops);
    }
    BOOST_TEST(Payload::alive.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
