#include "reactor/reactor_base.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <exception>

#include "reactor/errors.hpp"
#include "reactor/failure.hpp"
#include "reactor/log.hpp"

namespace interloop {

// One graceful stop in progress. Trigger Deferreds may fire long after the loop stopped (or
// after a crash, or after the reactor is gone), so they hold this rather than the reactor;
// `reactor` is cleared as soon as this stop no longer owns the loop.
struct ReactorBase::StopState {
    ReactorBase* reactor = nullptr;
    std::size_t remaining = 1;  // 1 = the reference held while stop() calls the triggers
};

namespace {

constexpr std::string_view logger = "interloop.reactor";

std::string_view signal_name(int signo) {
    switch (signo) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        default:
            return "signal";
    }
}

}  // namespace

ReactorBase::ReactorBase() {
    timers_.set_on_change([this] { update_timer(); });
}

ReactorBase::~ReactorBase() {
    release_pending_calls();
}

double ReactorBase::seconds() const {
    using Seconds = std::chrono::duration<double>;
    return std::chrono::duration_cast<Seconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

DelayedCall ReactorBase::call_later(Duration delay, UniqueFunction<void()> fn) {
    // `!(x > 0)` also maps NaN to zero: a NaN due time would break the heap's ordering.
    const double d = delay.count() > 0 ? delay.count() : 0.0;
    return timers_.schedule(seconds() + d, std::move(fn));
}

void ReactorBase::call_soon(UniqueFunction<void()> fn) {
    const bool first = soon_.empty();
    soon_.push_back(std::move(fn));
    // While draining, the drain reschedules itself at its end: asking now would be redundant.
    if (first && !draining_soon_ && !closed_) schedule_soon();
}

void ReactorBase::call_from_thread(UniqueFunction<void()> fn) {
    bool was_empty = false;
    {
        std::lock_guard lock(thread_mutex_);
        was_empty = thread_calls_.empty();
        thread_calls_.push_back(std::move(fn));
    }
    // One wake-up per empty -> non-empty transition: the drain takes everything queued. It
    // is sent outside the lock so the loop thread, once woken, does not block on it.
    if (was_empty) wake();
}

namespace {
thread_local Reactor* current_reactor = nullptr;
}  // namespace

Reactor* Reactor::current() noexcept {
    return current_reactor;
}

void ReactorBase::run() {
    if (running_) throw ReactorAlreadyRunning();
    running_ = true;
    stopping_ = false;
    struct Reset {
        ReactorBase& self;
        Reactor* outer = std::exchange(current_reactor, &self);
        ~Reset() {
            current_reactor = outer;
            self.running_ = false;
            self.stopping_ = false;
            // A trigger firing after run() returned must not stop a later run().
            if (self.stop_state_) std::exchange(self.stop_state_, nullptr)->reactor = nullptr;
        }
    } reset{*this};
    run_loop();
}

void ReactorBase::stop() {
    if (!running_ || stopping_) throw ReactorNotRunning();
    stopping_ = true;
    auto state = std::make_shared<StopState>();
    state->reactor = this;
    stop_state_ = state;

    // A snapshot: triggers may add or remove triggers while they run.
    std::vector<std::shared_ptr<UniqueFunction<Deferred<void>()>>> snapshot;
    snapshot.reserve(triggers_.size());
    for (const Trigger& trigger : triggers_) snapshot.push_back(trigger.second);

    for (const auto& trigger : snapshot) {
        ++state->remaining;
        try {
            Deferred<void> done = (*trigger)();
            static_cast<void>(done.add_both([state](Outcome<void> outcome) {
                // Logged without letting anything escape: the stop must always be counted.
                try {
                    outcome.value();
                } catch (...) {
                    log_current_exception("shutdown trigger");
                }
                finish_trigger(state);
            }));
        } catch (...) {
            log_current_exception("shutdown trigger");
            finish_trigger(state);
        }
    }
    finish_trigger(state);
}

void ReactorBase::finish_trigger(const std::shared_ptr<StopState>& state) {
    if (--state->remaining != 0 || state->reactor == nullptr) return;
    std::exchange(state->reactor, nullptr)->break_loop();
}

void ReactorBase::crash() {
    if (!running_) return;
    if (stop_state_) std::exchange(stop_state_, nullptr)->reactor = nullptr;
    stopping_ = true;
    break_loop();
}

void ReactorBase::install_signal_handlers() {
    if (signals_installed_ || closed_) return;
    watch_signal(SIGINT);
    watch_signal(SIGTERM);
    signals_installed_ = true;
}

ReactorBase::TriggerId ReactorBase::add_shutdown_trigger(UniqueFunction<Deferred<void>()> trigger) {
    const TriggerId id = next_trigger_id_++;
    triggers_.emplace_back(id,
                           std::make_shared<UniqueFunction<Deferred<void>()>>(std::move(trigger)));
    return id;
}

bool ReactorBase::remove_shutdown_trigger(TriggerId id) {
    auto it = std::find_if(triggers_.begin(), triggers_.end(),
                           [id](const Trigger& t) { return t.first == id; });
    if (it == triggers_.end()) return false;
    // Keep the function alive until erase() is done: it may be the trigger running now.
    auto keep = it->second;
    triggers_.erase(it);
    return true;
}

void ReactorBase::run_timers() {
    armed_for_ = std::numeric_limits<double>::infinity();  // the backend timer has fired
    timers_.run_due(seconds(), /*include_new_calls=*/false, detail::CallErrors::log);
    update_timer();
}

void ReactorBase::run_soon_calls() {
    draining_soon_ = true;
    soon_.swap(soon_draining_);
    for (auto& fn : soon_draining_) run_logged(fn, "call_soon call");
    soon_draining_.clear();
    draining_soon_ = false;
    if (!soon_.empty() && !closed_) schedule_soon();
}

void ReactorBase::run_thread_calls() {
    {
        std::lock_guard lock(thread_mutex_);
        thread_calls_.swap(thread_draining_);
    }
    for (auto& fn : thread_draining_) run_logged(fn, "call_from_thread call");
    thread_draining_.clear();
}

void ReactorBase::handle_signal(int signo) {
    if (!running_) return;
    if (!stopping_) {
        log::emit(log::Level::info, logger,
                  "Received {}, shutting down gracefully. Send again to force", signal_name(signo));
        stop();
    } else {
        log::emit(log::Level::warning, logger,
                  "Received {} while shutting down, forcing unclean shutdown", signal_name(signo));
        crash();
    }
}

void ReactorBase::release_pending_calls() noexcept {
    // First, while the reactor still works: adapters settle what they have pending here.
    gate_->close();
    closed_ = true;
    if (stop_state_) std::exchange(stop_state_, nullptr)->reactor = nullptr;
    // Destructors of released calls may queue new calls: loop until everything is empty.
    timers_.clear();
    while (!soon_.empty()) {
        Calls released = std::exchange(soon_, {});
    }
    soon_draining_.clear();
    while (true) {
        Calls released;
        {
            std::lock_guard lock(thread_mutex_);
            released.swap(thread_calls_);
        }
        if (released.empty()) break;
    }
    while (!triggers_.empty()) {
        std::vector<Trigger> released = std::exchange(triggers_, {});
    }
}

void ReactorBase::log_current_exception(std::string_view what) noexcept {
    try {
        log::emit(log::Level::error, logger, "Unhandled error in {}: {}", what,
                  Failure(std::current_exception()).describe());
    } catch (...) {
        // Logging must never take the loop down.
    }
}

void ReactorBase::update_timer() {
    if (closed_) return;
    const double next = timers_.next_time();
    if (next == armed_for_) return;
    armed_for_ = next;
    if (next == std::numeric_limits<double>::infinity())
        disarm_timer();
    else
        arm_timer(std::max(0.0, next - seconds()));
}

}  // namespace interloop
