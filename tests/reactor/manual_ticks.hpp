#pragma once
// A ReactorTime whose call_soon queue runs only when told to, one loop iteration at a time.

#include <cstddef>
#include <utility>
#include <vector>

#include "reactor/clock.hpp"
#include "reactor/reactor.hpp"

namespace interloop::testing {

/// Time and timers come from a `Clock`; `call_soon` calls wait until `iterate()`, which runs
/// those queued so far (not the ones they queue), like one iteration of a real loop. The Clock
/// itself runs every call_soon of an `advance(0)`, iteration after iteration, so tests that
/// look at single Cooperator ticks use this instead (Twisted's tests inject a scheduler).
class ManualTicks final : public ReactorTime {
public:
    explicit ManualTicks(Clock& clock) : clock_(clock) {}

    double seconds() const override { return clock_.seconds(); }
    DelayedCall call_later(Duration delay, UniqueFunction<void()> fn) override {
        return clock_.call_later(delay, std::move(fn));
    }
    void call_soon(UniqueFunction<void()> fn) override { queued_.push_back(std::move(fn)); }

    /// Runs the calls queued before this call; returns how many ran.
    std::size_t iterate() {
        std::vector<UniqueFunction<void()>> batch = std::exchange(queued_, {});
        for (auto& fn : batch) fn();
        return batch.size();
    }
    /// The number of call_soon calls waiting.
    std::size_t queued() const noexcept { return queued_.size(); }

private:
    Clock& clock_;
    std::vector<UniqueFunction<void()>> queued_;
};

}  // namespace interloop::testing
