#pragma once
// Time limits and delays on any ReactorTime: Twisted's Deferred.addTimeout and task.deferLater.

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "reactor/deferred.hpp"
#include "reactor/errors.hpp"
#include "reactor/outcome.hpp"
#include "reactor/reactor.hpp"

namespace interloop {

/// The default `on_timeout_cancel` of `add_timeout` (Twisted's `_cancelledToTimedOutError`):
/// a `CancelledError` becomes `TimeoutError(timeout)`; values and other failures pass through.
template <class T>
Outcome<T> cancelled_to_timeout_error(Outcome<T> result, Duration timeout) {
    if (!result.has_value() && result.failure().template check<CancelledError>())
        return Failure::from(TimeoutError(timeout.count()));
    return result;
}

/// Gives `d` a time limit (Twisted's `Deferred.addTimeout(timeout, clock, onTimeoutCancel)`):
/// schedules `d.cancel()` `timeout` from now on `clock`. If that cancel happened, the result
/// then reaching the end of the callbacks added so far goes through
/// `on_timeout_cancel(result, timeout)`; the default turns a `CancelledError` into a
/// `TimeoutError`. When `d` fires first, the delayed call is cancelled (nothing is left on the
/// clock); a `cancel()` by someone else before the limit keeps the plain `CancelledError`.
/// Like Twisted, it covers only the callbacks added before the call (they run before the
/// translation; callbacks added later see its result). Returns `d`.
///
/// `on_timeout_cancel` takes `(Outcome<T>, Duration)` and returns what converts to an
/// `Outcome<T>`: a `T`, a `Failure`, an `Outcome<T>` (or throws). Differences from Twisted:
/// the translator cannot return a Deferred; `d` is taken as a handle (by value), so a
/// temporary works: `add_timeout(fetch(), 5s, reactor)`.
template <class T, class OnTimeoutCancel>
requires std::convertible_to<std::invoke_result_t<OnTimeoutCancel&, Outcome<T> &&, Duration>,
                             Outcome<T>>
    Deferred<T> add_timeout(Deferred<T> d, Duration timeout, ReactorTime& clock,
                            OnTimeoutCancel on_timeout_cancel) {
    auto timed_out = std::make_shared<bool>(false);
    // The delayed call holds a handle on `d` (as Twisted's holds the bound `d.cancel`): until
    // the limit, an abandoned `d` still gets its timeout instead of vanishing.
    DelayedCall call = clock.call_later(timeout, [d, timed_out]() mutable {
        *timed_out = true;
        d.cancel();
    });
    d.add_both([timed_out, timeout,
                translate = std::move(on_timeout_cancel)](Outcome<T> result) mutable -> Outcome<T> {
        if (!*timed_out) return result;
        return translate(std::move(result), timeout);
    });
    d.add_both([call](Outcome<T> result) mutable -> Outcome<T> {
        if (call.active()) call.cancel();
        return result;
    });
    return d;
}

/// `add_timeout` with the default translation (`CancelledError` → `TimeoutError`).
template <class T>
Deferred<T> add_timeout(Deferred<T> d, Duration timeout, ReactorTime& clock) {
    return add_timeout(std::move(d), timeout, clock, &cancelled_to_timeout_error<T>);
}

/// Runs `f()` `delay` from now on `clock` and returns a Deferred of its result (Twisted's
/// `task.deferLater(clock, delay, f)`), with maybeDeferred semantics: `f` may return `U`,
/// `void`, `Deferred<U>` (the result then waits for it) or `Outcome<U>`; an exception thrown
/// by `f` becomes the failure. Cancelling the Deferred before the delay has passed removes the
/// delayed call from the clock, fails it with `CancelledError`, and `f` never runs; after the
/// delay, cancelling it cancels the Deferred `f` returned, if it waits on one.
///
/// Differences from Twisted: arguments are bound with a lambda instead of `*args`; `f` may
/// not return a `Failure` (return an `Outcome<U>` holding it, or throw).
template <class F>
requires std::invocable<F&>
auto defer_later(ReactorTime& clock, Duration delay, F f) {
    using R = std::remove_cvref_t<std::invoke_result_t<F&>>;
    static_assert(!std::is_same_v<R, Failure>,
                  "defer_later: return an Outcome<U> (or throw) instead of a Failure");
    auto call = std::make_shared<DelayedCall>();
    Deferred<void> trigger([call](Deferred<void>&) {
        if (call->active()) call->cancel();
    });
    *call = clock.call_later(delay, [trigger]() mutable { trigger.callback(); });
    return trigger.add_callback(std::move(f));
}

/// A `Deferred<void>` that fires `delay` from now (Twisted's `deferLater(clock, delay)`).
inline Deferred<void> defer_later(ReactorTime& clock, Duration delay) {
    return defer_later(clock, delay, [] {});
}

}  // namespace interloop
