#include "reactor/looping_call.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "reactor/outcome.hpp"

namespace interloop {
namespace detail {

/// What a LoopingCall shares with its scheduled call and the continuation on the function's
/// Deferred (they hold it weakly: a destroyed LoopingCall is never called back).
struct LoopingState : std::enable_shared_from_this<LoopingState> {
    using Work = UniqueFunction<std::optional<Deferred<void>>(std::size_t)>;

    LoopingState(ReactorTime& c, Work w, bool count)
        : clock(c), work(std::move(w)), counting(count) {}

    ReactorTime& clock;
    Work work;
    const bool counting;
    bool running = false;
    bool busy = false;  // the function is running or its Deferred is outstanding
    bool run_at_start = false;
    double interval = 0.0;
    double start_time = 0.0;
    std::optional<double> last_count_time;  // Twisted's `_realLastTime`
    DelayedCall call;                       // the next scheduled call, if any
    std::optional<Deferred<void>> loop;     // what `start` returned, until it fires

    void run_once();
    void work_done(Outcome<void> outcome);
    void schedule_from(double when);
    std::size_t elapsed_intervals();
    void fire_loop(const Outcome<void>& outcome);
    void shutdown();
};

void LoopingState::run_once() {
    call = DelayedCall();
    std::size_t count = 1;
    if (counting) {
        count = elapsed_intervals();
        if (count == 0) return work_done(Outcome<void>());
    }
    busy = true;
    std::optional<Deferred<void>> later;
    try {
        later = work(count);
    } catch (...) {
        return work_done(Failure());
    }
    if (!later) return work_done(Outcome<void>());
    later->add_both([weak = weak_from_this()](Outcome<void> outcome) -> Outcome<void> {
        auto self = weak.lock();
        if (!self) return outcome;  // the LoopingCall is gone: leave a failure unhandled
        self->work_done(std::move(outcome));
        return Outcome<void>();
    });
}

void LoopingState::work_done(Outcome<void> outcome) {
    busy = false;
    if (!outcome.has_value()) {
        running = false;
        fire_loop(outcome);
    } else if (running) {
        schedule_from(clock.seconds());
    } else {
        fire_loop(outcome);
    }
}

void LoopingState::schedule_from(double when) {
    double delay = 0.0;
    if (interval > 0.0) {
        // Time left in the current interval (Python's `%`: never negative).
        double into = std::fmod(when - start_time, interval);
        if (into < 0.0) into += interval;
        delay = interval - into;
        // A remainder so small that adding it does not change `when` means the interval just
        // ended: wait for the whole next one.
        if (when == when + delay) delay = interval;
    }
    call = clock.call_later(Duration(delay), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->run_once();
    });
}

std::size_t LoopingState::elapsed_intervals() {
    const double now = clock.seconds();
    if (interval == 0.0) {
        last_count_time = now;
        return 1;
    }
    double last = start_time;
    if (last_count_time)
        last = *last_count_time;
    else if (run_at_start)
        last -= interval;
    // Truncation toward zero, as Python's int().
    auto interval_of = [&](double t) {
        return static_cast<long long>((t - start_time) / interval);
    };
    const long long count = interval_of(now) - interval_of(last);
    if (count <= 0) return 0;
    last_count_time = now;
    return static_cast<std::size_t>(count);
}

void LoopingState::fire_loop(const Outcome<void>& outcome) {
    if (!loop) return;
    Deferred<void> d = std::move(*loop);
    loop.reset();
    if (outcome.has_value())
        d.callback();
    else
        d.errback(outcome.failure());
}

void LoopingState::shutdown() {
    running = false;
    if (call.active()) call.cancel();
    fire_loop(Outcome<void>());
}

}  // namespace detail

LoopingCall::LoopingCall(ReactorTime& clock, Work work, bool counting)
    : state_(std::make_shared<detail::LoopingState>(clock, std::move(work), counting)) {}

LoopingCall::LoopingCall(LoopingCall&&) noexcept = default;

LoopingCall::~LoopingCall() {
    if (state_) state_->shutdown();
}

Deferred<void> LoopingCall::start(Duration interval, bool now) {
    auto state = state_;  // the function may destroy this LoopingCall
    if (!(interval.count() >= 0.0))
        throw std::invalid_argument("LoopingCall::start: the interval must be >= 0");
    if (state->running) throw std::logic_error("LoopingCall::start: already running");
    if (state->busy)
        throw std::logic_error(
            "LoopingCall::start: the previous run still waits for the function's Deferred");
    Deferred<void> loop;
    state->loop = loop;
    state->running = true;
    state->interval = interval.count();
    state->start_time = state->clock.seconds();
    state->run_at_start = now;
    state->last_count_time.reset();
    if (now)
        state->run_once();
    else
        state->schedule_from(state->start_time);
    return loop;
}

void LoopingCall::stop() {
    auto state = state_;
    if (!state->running) throw std::logic_error("LoopingCall::stop: not running");
    state->running = false;
    if (state->call.active()) {
        state->call.cancel();
        state->call = DelayedCall();
        state->fire_loop(Outcome<void>());
    }
}

void LoopingCall::reset() {
    detail::LoopingState& state = *state_;
    if (!state.running) throw std::logic_error("LoopingCall::reset: not running");
    if (!state.call.active()) return;
    state.call.cancel();
    state.start_time = state.clock.seconds();
    state.schedule_from(state.start_time);
}

bool LoopingCall::running() const noexcept {
    return state_->running;
}

Duration LoopingCall::interval() const noexcept {
    return Duration(state_->interval);
}

}  // namespace interloop
