#include "reactor/clock.hpp"

#include <stdexcept>

namespace interloop {

DelayedCall Clock::call_later(Duration delay, UniqueFunction<void()> fn) {
    // `!(x > 0)` also maps NaN to zero: a NaN due time would break the heap's ordering.
    const double d = delay.count() > 0 ? delay.count() : 0.0;
    return timers_.schedule(now_ + d, std::move(fn));
}

void Clock::call_soon(UniqueFunction<void()> fn) {
    timers_.schedule(now_, std::move(fn));
}

void Clock::advance(Duration dt) {
    // Time running backwards would let already-run calls' successors jump the queue.
    if (!(dt.count() >= 0)) throw std::invalid_argument("Clock::advance: negative or NaN step");
    now_ += dt.count();
    timers_.run_due(now_, /*include_new_calls=*/true, detail::CallErrors::propagate);
}

void Clock::pump(const std::vector<Duration>& steps) {
    for (Duration step : steps) advance(step);
}

}  // namespace interloop
