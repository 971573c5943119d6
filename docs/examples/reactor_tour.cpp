// A tour of the reactor layer (docs/reactor.md), run by `scripts/demo` and by the test
// `example_reactor_tour`.
//
// Four jobs share a DeferredSemaphore (two at a time); every job gets 100 ms (add_timeout) and
// the slow one needs 250 ms, so it is cut short and an errback turns its TimeoutError into a
// result. gather_results collects the four results, a LoopingCall reports progress until they
// are in, and the main function is a Deferred coroutine run by react(). The program checks
// its own story against the expected one and exits non-zero on a mismatch.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/deferred_list.hpp"
#include "reactor/deferred_lock.hpp"
#include "reactor/errors.hpp"
#include "reactor/libevent_reactor.hpp"
#include "reactor/looping_call.hpp"
#include "reactor/react.hpp"
#include "reactor/timeout.hpp"

using namespace std::chrono_literals;
using namespace interloop;

namespace {

/// Prints what happens, with the time since the start, and keeps the story for the check.
class Journal {
public:
    explicit Journal(const ReactorTime& clock) : clock_(clock), start_(clock.seconds()) {}

    template <class... Args>
    void note(fmt::format_string<Args...> format, Args&&... args) {
        std::string line = fmt::format(format, std::forward<Args>(args)...);
        fmt::print("{:4.0f} ms  {}\n", elapsed_ms(), line);
        story_.push_back(std::move(line));
    }

    /// Progress lines are printed but left out of the story: a loaded machine makes a
    /// LoopingCall skip intervals, so how many there are is not fixed.
    void progress(std::size_t finished, std::size_t total) {
        fmt::print("{:4.0f} ms    progress: {}/{} jobs finished\n", elapsed_ms(), finished, total);
        ++ticks_;
    }

    const std::vector<std::string>& story() const { return story_; }
    int ticks() const { return ticks_; }

private:
    double elapsed_ms() const { return (clock_.seconds() - start_) * 1000.0; }

    const ReactorTime& clock_;
    double start_;
    std::vector<std::string> story_;
    int ticks_ = 0;
};

/// One job: takes `how_long`, then succeeds with its name.
Deferred<std::string> job(ReactorTime& clock, Journal& journal, std::string name,
                          Duration how_long) {
    journal.note("{} starts", name);
    return defer_later(clock, how_long, [&journal, name] {
        journal.note("{} done", name);
        return name;
    });
}

/// The main function: a Deferred coroutine; react() stops the loop when it finishes.
Deferred<void> tour(Reactor& reactor) {
    Journal journal(reactor);
    journal.note("tour starts");

    // co_await a Deferred: the coroutine is suspended, the loop keeps running.
    co_await defer_later(reactor, 10ms);
    journal.note("warm-up over");

    // A progress ticker every 50 ms (the first tick now), stopped once every job is in.
    std::size_t finished = 0;
    LoopingCall ticker(reactor, [&] { journal.progress(finished, 4); });
    Deferred<void> ticking = ticker.start(50ms);

    // At most two jobs at a time; each one gets 100 ms.
    DeferredSemaphore two_at_a_time(2);
    auto start = [&](std::string name, Duration how_long) {
        return two_at_a_time
            .run([&, name, how_long] {
                return add_timeout(job(reactor, journal, name, how_long), 100ms, reactor);
            })
            .add_errback([&journal, name](const Failure& failure) {
                failure.trap<TimeoutError>();  // any other error stays a failure
                journal.note("{} gave up: {}", name, failure.message());
                return name + " (timed out)";
            })
            .add_callback([&finished](std::string result) {
                ++finished;
                return result;
            });
    };
    std::vector<Deferred<std::string>> jobs;
    jobs.push_back(start("a", 60ms));
    jobs.push_back(start("b", 20ms));
    jobs.push_back(start("c", 70ms));      // waits for a token: starts when b is done
    jobs.push_back(start("slow", 250ms));  // starts when a is done, times out 100 ms later

    std::vector<std::string> results = co_await gather_results(std::move(jobs));
    ticker.stop();
    co_await ticking;  // fired by stop(): no call of the ticker was outstanding
    journal.note("all done: {}", fmt::join(results, ", "));

    // Each event below waits on an earlier one or on a timer due earlier, so this order holds
    // however late the loop runs.
    const std::vector<std::string> expected = {
        "tour starts",
        "warm-up over",
        "a starts",
        "b starts",
        "b done",
        "c starts",
        "a done",
        "slow starts",
        "c done",
        "slow gave up: timed out after 0.1 seconds",
        "all done: a, b, c, slow (timed out)",
    };
    if (journal.story() != expected || journal.ticks() < 1 || two_at_a_time.tokens() != 2) {
        fmt::print("MISMATCH\nexpected: {}\ngot:      {}\nticks: {}, free tokens: {}\n", expected,
                   journal.story(), journal.ticks(), two_at_a_time.tokens());
        throw ExitCode(1);  // react() returns this code
    }
}

}  // namespace

int main() {
    LibeventReactor reactor;
    const int code = react(reactor, tour);
    // Finished jobs and cancelled timeouts leave nothing behind on the reactor.
    if (code == 0 && !reactor.pending_calls().empty()) {
        fmt::print("MISMATCH: {} delayed calls left\n", reactor.pending_calls().size());
        return 1;
    }
    return code;
}
