#pragma once
// LoopingCall: call a function every `interval` seconds (Twisted's task.LoopingCall).

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>

#include "reactor/deferred.hpp"
#include "reactor/detail/completion.hpp"
#include "reactor/reactor.hpp"
#include "reactor/unique_function.hpp"

namespace interloop {

namespace detail {
struct LoopingState;
}  // namespace detail

/// Calls a function repeatedly, every `interval` seconds of a `ReactorTime` (Twisted's
/// `task.LoopingCall`).
///
/// * The function may return `void` or a `Deferred<void>` (any `Deferred<U>`, `U` or
///   `Outcome<U>` works too; values are ignored): the next call is not scheduled until that
///   Deferred has fired.
/// * Calls are aligned on `start time + k * interval`. When a call (or its Deferred) overran,
///   or the loop was late, the missed intervals are skipped, not made up; `with_count` tells
///   the function how many intervals passed.
/// * `start` returns a `Deferred<void>` that fires when `stop()` ends the loop, and fails with
///   the error when the function throws or its Deferred fails (the loop is then stopped).
/// * `stop()` does not cancel a Deferred the function returned that is still outstanding (as
///   in Twisted): the loop's Deferred fires when that one does.
///
/// Differences from Twisted: the loop's Deferred carries no value (Twisted's fires with the
/// LoopingCall); `start` while the Deferred of the previous run's last call is outstanding
/// throws `std::logic_error` (Twisted allows it and then runs two loops); destroying a
/// running LoopingCall stops it at once: the scheduled call is cancelled, the loop's Deferred
/// fires (success) and the outcome of an outstanding Deferred is ignored (a failure of it is
/// then left unhandled, so it is logged). Movable; a moved-from LoopingCall may only be
/// destroyed. Use it from the reactor's thread.
class LoopingCall {
public:
    /// A loop calling `f()` (Twisted's `LoopingCall(f)`; bind arguments with a lambda).
    template <class F>
    requires std::invocable<F&> LoopingCall(ReactorTime& clock, F f)
        : LoopingCall(clock, Work([f = std::move(f)](std::size_t) mutable {
                          return detail::call_for_completion(f);
                      }),
                      false) {}

    /// A loop calling `f(count)`, where `count` (>= 1) is the number of intervals that passed
    /// since the previous call, or since the loop started (Twisted's
    /// `LoopingCall.withCount`). The first call with `now = true` gets 1. With an interval of
    /// 0 the count is always 1. If no full interval passed (it can happen with floating-point
    /// rounding), `f` is not called that time.
    template <class F>
    requires std::invocable<F&, std::size_t>
    static LoopingCall with_count(ReactorTime& clock, F f) {
        return LoopingCall(clock, Work([f = std::move(f)](std::size_t count) mutable {
                               return detail::call_for_completion(f, count);
                           }),
                           true);
    }

    LoopingCall(LoopingCall&&) noexcept;
    LoopingCall& operator=(LoopingCall&&) = delete;
    ~LoopingCall();

    /// Starts the loop: calls the function now (if `now`) and then every `interval`
    /// (Twisted's `start(interval, now=True)`). An interval of 0 calls it as often as the
    /// reactor allows. Returns the loop's Deferred (see the class comment); it may already
    /// have failed if the first call failed. Throws `std::invalid_argument` for a negative
    /// (or NaN) interval and `std::logic_error` if the loop is running.
    Deferred<void> start(Duration interval, bool now = true);

    /// Stops the loop (Twisted's `stop`). If the next call is scheduled, it is cancelled and
    /// the loop's Deferred fires now; if the function is running or its Deferred is
    /// outstanding, the loop's Deferred fires when that finishes. Throws `std::logic_error`
    /// if the loop is not running.
    void stop();

    /// Restarts the timing from now: the next call is one full interval away (Twisted's
    /// `reset`). Does nothing while the function's Deferred is outstanding. Throws
    /// `std::logic_error` if the loop is not running.
    void reset();

    /// True from `start` until `stop` or a failure (Twisted's `running`).
    bool running() const noexcept;
    /// The interval given to the last `start`.
    Duration interval() const noexcept;

private:
    using Work = UniqueFunction<std::optional<Deferred<void>>(std::size_t)>;
    LoopingCall(ReactorTime& clock, Work work, bool counting);

    std::shared_ptr<detail::LoopingState> state_;
};

}  // namespace interloop
