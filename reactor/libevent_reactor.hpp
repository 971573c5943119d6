#pragma once
// LibeventReactor: the reactor on a libevent `event_base`.

#include <vector>

#include "reactor/reactor_base.hpp"

struct event_base;
struct event;

namespace interloop {

/// A `Reactor` on its own libevent `event_base` (Linux: epoll, eventfd).
///
/// * Delayed calls share ONE libevent timer armed for the earliest deadline.
/// * `call_soon` activates a libevent event (`event_active`, no zero timer); libevent checks
///   for I/O at least every 64 callbacks, so a self-rescheduling `call_soon` cannot starve it.
/// * `call_from_thread` wakes the loop with an eventfd (libevent's own threading is not used).
/// * Watches are persistent `EV_READ`/`EV_WRITE` events.
/// * Signals are handled only after `install_signal_handlers()`; libevent lets only one
///   `event_base` at a time receive signals.
/// * libevent's own diagnostics are sent to the "interloop.libevent" logger (a process-wide
///   libevent setting, made by the first LibeventReactor).
///
/// `run()` may be called again after it returned (see `ReactorBase`). Destroying the reactor
/// (not from inside its own `run()`) with watches or calls outstanding is safe: pending calls
/// are released without running; `Watch` handles that outlive it go inert and `DelayedCall`
/// handles count as cancelled.
class LibeventReactor final : public ReactorBase {
public:
    /// Creates the event_base; throws std::runtime_error if libevent or eventfd fail.
    LibeventReactor();
    ~LibeventReactor() override;

    /// Registers `fd`: `on_ready(what)` is called from the loop each time `fd` is ready for
    /// some of `interest` (`what` holds the ready subset). Close the watch before the fd.
    Watch watch(int fd, Interest interest, UniqueFunction<void(Interest)> on_ready) override;

    /// The underlying event_base, to integrate other libevent users on the same loop.
    event_base* native_handle() const noexcept { return base_; }

protected:
    void wake() override;
    void schedule_soon() override;
    void arm_timer(double delay) override;
    void disarm_timer() override;
    void run_loop() override;
    void break_loop() override;
    void watch_signal(int signo) override;

private:
    class WatchImpl;
    friend class WatchImpl;

    event* new_event(int fd, short what, void (*callback)(int, short, void*));
    void free_backend() noexcept;

    event_base* base_ = nullptr;
    int wake_fd_ = -1;
    event* wake_event_ = nullptr;
    event* soon_event_ = nullptr;
    event* timer_event_ = nullptr;
    std::vector<event*> signal_events_;
    WatchImpl* watches_ = nullptr;  // intrusive list of live watches
};

}  // namespace interloop
