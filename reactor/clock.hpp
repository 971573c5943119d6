#pragma once
// Clock: manual reactor time for tests (Twisted's task.Clock).

#include <vector>

#include "reactor/detail/timer_queue.hpp"
#include "reactor/reactor.hpp"

namespace interloop {

/// A `ReactorTime` whose time only moves when told to: every time-based behaviour can be
/// tested without sleeping. Starts at 0.0. Calls scheduled while `advance` runs that are due
/// at the new time run in the same `advance` (as in Twisted; a real reactor runs them on its
/// next iteration). Exceptions thrown by calls propagate out of `advance`. Not thread-safe.
///
/// Deliberate difference from Twisted (which has no call_soon): `call_soon(fn)` is
/// `call_later(0, fn)`, so it runs on the next `advance`, including `advance(0)`, and never
/// inside the call that scheduled it.
class Clock final : public ReactorTime {
public:
    Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;

    /// The current manual time in seconds.
    double seconds() const override { return now_; }
    /// Schedules `fn` at `seconds() + delay` (a negative delay counts as zero).
    DelayedCall call_later(Duration delay, UniqueFunction<void()> fn) override;
    /// Schedules `fn` at the current time: it runs on the next `advance` (or later in the
    /// current one, if called from a call that `advance` is running).
    void call_soon(UniqueFunction<void()> fn) override;

    /// Moves time forward by `dt` (which must not be negative) and runs every call due,
    /// in time order, equal times in scheduling order.
    void advance(Duration dt);
    /// `advance` by each step in turn.
    void pump(const std::vector<Duration>& steps);
    /// The calls still pending, sorted by due time (Twisted's `getDelayedCalls`).
    std::vector<DelayedCall> pending_calls() const { return timers_.pending(); }

private:
    double now_ = 0.0;
    detail::TimerQueue timers_{*this};
};

}  // namespace interloop
