#pragma once
// ReactorBase: the backend-independent half of every real reactor (Twisted's ReactorBase).

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/detail/timer_queue.hpp"
#include "reactor/reactor.hpp"
#include "reactor/reactor_gate.hpp"
#include "reactor/unique_function.hpp"

namespace interloop {

/// Shared logic of the real reactors, so that a backend only supplies a few hooks: the timer
/// queue (driven by one backend timer armed for the earliest deadline), the `call_soon` FIFO,
/// the thread-safe `call_from_thread` queue, run/stop state, graceful shutdown triggers and
/// the SIGINT/SIGTERM policy. Errors thrown by calls are logged ("interloop.reactor") and the
/// loop carries on.
///
/// Ordering guarantees:
/// * `call_later`: time order, equal times in scheduling order; calls scheduled while due
///   calls run wait for the next iteration, even with a zero delay.
/// * `call_soon`: FIFO. One drain runs the calls queued when it started; calls added during
///   a drain run in a later drain, after events that were already ready.
/// * `call_from_thread`: FIFO (hence per-thread order); calls added during a drain run on the
///   next loop iteration.
///
/// `run()` may be called again after it returned (Twisted forbids restarting a reactor; we
/// allow it because tests reuse reactors). Calls still queued when `run()` returns run on the
/// next `run()`, or are released when the reactor is destroyed.
class ReactorBase : public Reactor {
public:
    /// Identifies a shutdown trigger for `remove_shutdown_trigger`.
    using TriggerId = std::uint64_t;

    ReactorBase(const ReactorBase&) = delete;
    ReactorBase& operator=(const ReactorBase&) = delete;
    ~ReactorBase() override;

    /// std::chrono::steady_clock, in seconds.
    double seconds() const override;
    DelayedCall call_later(Duration delay, UniqueFunction<void()> fn) override;
    void call_soon(UniqueFunction<void()> fn) override;
    void call_from_thread(UniqueFunction<void()> fn) override;

    void run() override;
    /// Graceful stop: calls every shutdown trigger (in registration order) and returns at
    /// once; the loop stops when all their Deferreds have fired (failures are logged). With
    /// no trigger the loop stops after the current callback. Throws `ReactorNotRunning` if
    /// the loop is not running or already stopping.
    void stop() override;
    void crash() override;
    bool running() const override { return running_; }
    /// True from `stop()` until `run()` returns.
    bool stopping() const noexcept { return stopping_; }
    void install_signal_handlers() override;
    std::shared_ptr<ReactorGate> gate() override { return gate_; }

    /// Registers `trigger` to be called by every graceful `stop()`; the loop keeps running
    /// until the returned Deferred fires (Twisted's "before shutdown" system event trigger).
    /// A trigger that throws, or whose Deferred fails (including one dropped unfired), is
    /// logged and counts as done.
    TriggerId add_shutdown_trigger(UniqueFunction<Deferred<void>()> trigger);
    /// Unregisters a trigger; returns false if `id` is unknown. A stop in progress still
    /// waits for the Deferred the trigger already returned.
    bool remove_shutdown_trigger(TriggerId id);

    /// The pending delayed calls sorted by due time (to assert "nothing left behind").
    std::vector<DelayedCall> pending_calls() const { return timers_.pending(); }

protected:
    ReactorBase();

    // ---- Backend hooks --------------------------------------------------------------------
    /// Makes the loop call `run_thread_calls()` soon. Called from any thread, including the
    /// loop's own, also when the loop is not running (it must then run them once it does).
    virtual void wake() = 0;
    /// Makes the loop call `run_soon_calls()` on a later callback (loop thread only).
    virtual void schedule_soon() = 0;
    /// (Re)arms the one backend timer to call `run_timers()` after `delay` seconds (>= 0).
    virtual void arm_timer(double delay) = 0;
    /// Disarms the backend timer (no delayed call is pending).
    virtual void disarm_timer() = 0;
    /// Runs the OS loop until `break_loop()` is called.
    virtual void run_loop() = 0;
    /// Makes `run_loop()` return after the current callback.
    virtual void break_loop() = 0;
    /// Starts delivering signal `signo` to `handle_signal()` from the loop.
    virtual void watch_signal(int signo) = 0;

    // ---- Entry points for the backend's callbacks ----------------------------------------
    /// The backend timer fired: runs the due delayed calls and re-arms the timer.
    void run_timers();
    /// Runs the `call_soon` calls queued before this drain started.
    void run_soon_calls();
    /// Runs the `call_from_thread` calls queued so far.
    void run_thread_calls();
    /// A watched signal arrived (SIGINT/SIGTERM policy).
    void handle_signal(int signo);

    /// Turns the hooks off and releases (without running) every queued call and trigger.
    /// Derived destructors call this first, while the backend still exists, so destructors
    /// of released calls may still call into the reactor (what they queue is dropped too).
    /// The base destructor calls it again, which is harmless.
    void release_pending_calls() noexcept;

    /// Runs `fn(args...)`, logging (not propagating) what it throws; `what` names the kind of
    /// call in the log line. For backends' own callbacks, e.g. fd watches.
    template <class Fn, class... Args>
    static void run_logged(Fn& fn, std::string_view what, Args&&... args) noexcept {
        try {
            fn(std::forward<Args>(args)...);
        } catch (...) {
            log_current_exception(what);
        }
    }
    /// Logs the exception being handled as "Unhandled error in <what>: <type>: <message>".
    static void log_current_exception(std::string_view what) noexcept;

private:
    struct StopState;
    using Calls = std::vector<UniqueFunction<void()>>;
    using Trigger = std::pair<TriggerId, std::shared_ptr<UniqueFunction<Deferred<void>()>>>;

    void update_timer();
    static void finish_trigger(const std::shared_ptr<StopState>& state);

    detail::TimerQueue timers_{*this};
    double armed_for_ = std::numeric_limits<double>::infinity();

    Calls soon_;
    Calls soon_draining_;
    bool draining_soon_ = false;

    std::mutex thread_mutex_;
    Calls thread_calls_;  // guarded by thread_mutex_
    Calls thread_draining_;

    bool running_ = false;
    bool stopping_ = false;
    bool closed_ = false;
    std::shared_ptr<ReactorGate> gate_ = std::make_shared<ReactorGate>(*this);
    bool signals_installed_ = false;
    std::shared_ptr<StopState> stop_state_;
    std::vector<Trigger> triggers_;
    TriggerId next_trigger_id_ = 1;
};

}  // namespace interloop
