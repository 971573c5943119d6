#pragma once
// TimerQueue: the indexed min-heap of delayed calls shared by Clock and every real reactor.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "reactor/reactor.hpp"
#include "reactor/unique_function.hpp"

namespace interloop::detail {

class TimerQueue;

/// Lifecycle of a scheduled call.
enum class TimerState : unsigned char { pending, called, cancelled };

/// One scheduled call. Shared between its queue (while pending) and `DelayedCall` handles.
struct TimerEntry {
    static constexpr std::size_t no_index = std::numeric_limits<std::size_t>::max();

    double time = 0.0;      ///< Reactor time (seconds) at which the call is due.
    std::uint64_t seq = 0;  ///< Insertion order: equal times run in scheduling order.
    UniqueFunction<void()> fn;
    TimerState state = TimerState::pending;
    std::size_t index = no_index;  ///< Position in the heap while pending.
    TimerQueue* queue = nullptr;   ///< Owning queue while pending; null once inactive.
};

/// What `run_due` does with an exception thrown by a call.
enum class CallErrors {
    propagate,  ///< Rethrow it to the caller of `run_due` (Clock: out of `advance`).
    log,        ///< Log it on "interloop.reactor" and run the remaining calls (real reactors).
};

/// A binary min-heap of `TimerEntry`s ordered by (time, insertion sequence), where every entry
/// knows its heap index: cancel and reschedule are O(log n) and remove the entry at once (no
/// lazy deletion, so cancelled timeouts never pile up). Single-threaded.
class TimerQueue {
public:
    /// `clock` supplies "now" for `DelayedCall::reset`; it must outlive the queue.
    explicit TimerQueue(const ReactorTime& clock) noexcept : clock_(&clock) {}
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;
    /// Outstanding entries become inactive (cancelled, detached); their functions are released.
    ~TimerQueue();

    /// Cancels every pending entry without running it (as the destructor does), detaching it
    /// from this queue, and releases the functions. Does not call the change hook.
    void clear() noexcept;

    /// Schedules `fn` at absolute reactor time `time`.
    DelayedCall schedule(double time, UniqueFunction<void()> fn);
    /// Removes a pending entry of this queue and marks it cancelled.
    void cancel(TimerEntry& entry);
    /// Moves a pending entry of this queue to `time` (keeps its insertion sequence).
    void reschedule(TimerEntry& entry, double time);

    /// Pops and runs, in (time, sequence) order, every call due at `now`. Each entry is marked
    /// `called` before its function runs. With `include_new_calls`, calls scheduled while
    /// running that are due at `now` run in the same pass (Twisted's task.Clock); without it
    /// they wait for the next pass (Twisted's `_newTimedCalls`), so a self-rescheduling
    /// zero-delay call cannot starve the loop. Returns the number of calls run.
    std::size_t run_due(double now, bool include_new_calls,
                        CallErrors errors = CallErrors::propagate);

    /// The due time of the earliest pending call, or +infinity when there is none.
    double next_time() const noexcept {
        return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.front()->time;
    }
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    /// The pending calls sorted by (time, sequence), as Twisted's `getDelayedCalls`.
    std::vector<DelayedCall> pending() const;
    /// The current time of the clock given at construction.
    double now() const { return clock_->seconds(); }

    /// Called whenever the earliest due time may have changed (schedule, cancel, reschedule),
    /// except while `run_due` is running: the owner re-arms its backend timer after `run_due`.
    void set_on_change(UniqueFunction<void()> on_change) { on_change_ = std::move(on_change); }

private:
    using EntryPtr = std::shared_ptr<TimerEntry>;

    static bool before(const TimerEntry& a, const TimerEntry& b) noexcept {
        return a.time < b.time || (a.time == b.time && a.seq < b.seq);
    }
    void place(std::size_t index, EntryPtr entry) noexcept;
    void sift_up(std::size_t index) noexcept;
    void sift_down(std::size_t index) noexcept;
    EntryPtr remove_at(std::size_t index) noexcept;
    void changed();

    const ReactorTime* clock_;
    std::vector<EntryPtr> heap_;
    std::uint64_t next_seq_ = 0;
    int running_depth_ = 0;
    UniqueFunction<void()> on_change_;
};

}  // namespace interloop::detail
