#pragma once
// The reactor interfaces: time (ReactorTime) and the full event loop (Reactor).

#include <chrono>
#include <memory>

#include "reactor/unique_function.hpp"

namespace interloop {

/// Reactor time is counted in seconds, as a double, like Twisted's. Integral chrono durations
/// convert implicitly: `call_later(250ms, f)`.
using Duration = std::chrono::duration<double>;

class ReactorGate;

namespace detail {
struct TimerEntry;
class WatchEntry;
}  // namespace detail

/// Handle on a call scheduled with `call_later` (Twisted's `IDelayedCall`). Copies refer to the
/// same call. A default-constructed handle refers to nothing: it is never active, and the other
/// members throw `std::logic_error`. A handle may outlive its reactor; the call then counts as
/// cancelled (`cancel()` throws `AlreadyCancelled`).
class DelayedCall {
public:
    DelayedCall() = default;
    explicit DelayedCall(std::shared_ptr<detail::TimerEntry> entry) : entry_(std::move(entry)) {}

    /// Unschedules the call. Throws `AlreadyCalled` if it ran (also from inside the call
    /// itself) and `AlreadyCancelled` if it was cancelled.
    void cancel();
    /// Reschedules the call to run `delay` from now. Same errors as `cancel`.
    void reset(Duration delay);
    /// Moves the call `extra` later than currently scheduled (a negative `extra` moves it
    /// earlier, as Twisted's `delay` does). Same errors as `cancel`.
    void delay(Duration extra);
    /// True until the call has run or been cancelled.
    bool active() const;
    /// The reactor time (seconds) at which the call is due.
    double time() const;

private:
    std::shared_ptr<detail::TimerEntry> entry_;
};

/// Time and deferred execution: what Twisted calls `IReactorTime`. `Clock` implements only
/// this; every real reactor implements the whole `Reactor`. Not thread-safe: call from the
/// loop's thread.
class ReactorTime {
public:
    virtual ~ReactorTime() = default;

    /// The loop's clock in seconds (monotonic for real reactors, manual for `Clock`).
    virtual double seconds() const = 0;
    /// Runs `fn` once, `delay` from now (a negative delay counts as zero).
    virtual DelayedCall call_later(Duration delay, UniqueFunction<void()> fn) = 0;
    /// Runs `fn` on a later loop iteration, in the order calls were made. (On the `Clock`, a
    /// call made while `advance` runs calls runs later in that same `advance`.)
    virtual void call_soon(UniqueFunction<void()> fn) = 0;
};

/// What a file-descriptor watch waits for (a bit set).
enum class Interest : unsigned { none = 0, readable = 1, writable = 2, both = 3 };

constexpr Interest operator|(Interest a, Interest b) {
    return Interest(unsigned(a) | unsigned(b));
}
constexpr Interest operator&(Interest a, Interest b) {
    return Interest(unsigned(a) & unsigned(b));
}
constexpr bool any(Interest i) {
    return i != Interest::none;
}

/// An fd registration made by `Reactor::watch`. Persistent (fires every time the fd is ready,
/// until changed or closed), move-only; destroying it unregisters the fd.
class Watch {
public:
    Watch() noexcept;
    explicit Watch(std::unique_ptr<detail::WatchEntry> entry) noexcept;
    Watch(Watch&&) noexcept;
    Watch& operator=(Watch&&) noexcept;
    ~Watch();

    /// Changes what is waited for; `Interest::none` pauses the watch without closing it.
    void set_interest(Interest interest);
    Interest interest() const;
    /// Unregisters now (the callback is not called afterwards, even for readiness already seen).
    void close();
    explicit operator bool() const noexcept { return entry_ != nullptr; }

private:
    std::unique_ptr<detail::WatchEntry> entry_;
};

/// A single-threaded event loop (Twisted's reactor). All calls except `call_from_thread` must
/// come from the loop's thread.
class Reactor : public ReactorTime {
public:
    /// Runs `fn` on the loop's thread soon. The only thread-safe entry point; calls from one
    /// thread run in the order they were made, and it also works from the loop's own thread.
    virtual void call_from_thread(UniqueFunction<void()> fn) = 0;

    /// Calls `on_ready(what)` whenever `fd` is ready for any of `interest`. Throws for an fd
    /// that cannot be watched (closed, a regular file). An exception thrown by `on_ready` is
    /// logged and the watch stays.
    virtual Watch watch(int fd, Interest interest, UniqueFunction<void(Interest)> on_ready) = 0;

    /// Runs the loop until `stop()`. Throws `ReactorAlreadyRunning` when called re-entrantly.
    virtual void run() = 0;
    /// Asks the loop to stop: shutdown triggers run first (see `add_shutdown_trigger`), then
    /// `run()` returns. Throws `ReactorNotRunning` if the loop is not running or already
    /// stopping.
    virtual void stop() = 0;
    /// True between the start of `run()` and its return.
    virtual bool running() const = 0;

    /// A thread-safe handle that outlives the reactor (see ReactorGate): what code on other
    /// threads should keep instead of a `Reactor&`.
    virtual std::shared_ptr<ReactorGate> gate() = 0;

    /// The reactor whose `run()` is executing on the calling thread (the innermost one), or
    /// nullptr. The bridge uses it to know where a Deferred it creates belongs.
    static Reactor* current() noexcept;
    /// Stops the loop at once, without waiting for shutdown triggers (Twisted's `crash`).
    /// Does nothing if the loop is not running.
    virtual void crash() = 0;
    /// Makes SIGINT and SIGTERM stop the loop: the first one calls `stop()` (graceful), a
    /// second one `crash()`es. Stays in effect until the reactor is destroyed; a signal that
    /// arrives while the loop is not running is ignored.
    virtual void install_signal_handlers() = 0;
};

}  // namespace interloop
