#include "reactor/detail/timer_queue.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "reactor/failure.hpp"
#include "reactor/log.hpp"

namespace interloop::detail {

TimerQueue::~TimerQueue() {
    clear();
}

void TimerQueue::clear() noexcept {
    // A released function may own objects whose destructors schedule more calls on this
    // queue; loop until it is really empty so no entry keeps a dangling back-pointer.
    while (!heap_.empty()) {
        std::vector<EntryPtr> entries = std::exchange(heap_, {});
        for (const EntryPtr& entry : entries) {
            entry->state = TimerState::cancelled;
            entry->queue = nullptr;
            entry->index = TimerEntry::no_index;
        }
        for (const EntryPtr& entry : entries) entry->fn = nullptr;
    }
}

DelayedCall TimerQueue::schedule(double time, UniqueFunction<void()> fn) {
    auto entry = std::make_shared<TimerEntry>();
    entry->time = time;
    entry->seq = next_seq_++;
    entry->fn = std::move(fn);
    entry->queue = this;
    TimerEntry& ref = *entry;
    heap_.emplace_back();
    place(heap_.size() - 1, entry);
    sift_up(ref.index);
    if (ref.index == 0) changed();
    return DelayedCall(std::move(entry));
}

void TimerQueue::cancel(TimerEntry& entry) {
    const bool was_first = entry.index == 0;
    EntryPtr keep = remove_at(entry.index);
    entry.state = TimerState::cancelled;
    entry.queue = nullptr;
    // Release captured state now (Twisted drops func/args on cancel): a cancelled timeout must
    // not keep its request alive until the handle dies.
    UniqueFunction<void()> fn = std::move(entry.fn);
    if (was_first) changed();
}

void TimerQueue::reschedule(TimerEntry& entry, double time) {
    const bool was_first = entry.index == 0;
    const bool earlier = time < entry.time;
    entry.time = time;
    if (earlier)
        sift_up(entry.index);
    else
        sift_down(entry.index);
    if (was_first || entry.index == 0) changed();
}

std::size_t TimerQueue::run_due(double now, bool include_new_calls, CallErrors errors) {
    // Entries created during this pass have a sequence >= limit. In a real reactor they are
    // also never due before an older due entry (their time is >= now), so stopping at the
    // first new one only postpones calls to the next pass.
    const std::uint64_t limit = include_new_calls ? UINT64_MAX : next_seq_;
    ++running_depth_;
    struct DepthGuard {
        int& depth;
        ~DepthGuard() { --depth; }
    } guard{running_depth_};

    std::size_t ran = 0;
    while (!heap_.empty()) {
        const TimerEntry& first = *heap_.front();
        if (first.time > now || first.seq >= limit) break;
        EntryPtr entry = remove_at(0);
        // Marked called before running, so cancel() from inside the call throws AlreadyCalled.
        entry->state = TimerState::called;
        entry->queue = nullptr;
        UniqueFunction<void()> fn = std::move(entry->fn);
        ++ran;
        if (errors == CallErrors::propagate) {
            fn();
            continue;
        }
        try {
            fn();
        } catch (...) {
            log::emit(log::Level::error, "interloop.reactor", "Unhandled error in delayed call: {}",
                      Failure(std::current_exception()).describe());
        }
    }
    return ran;
}

std::vector<DelayedCall> TimerQueue::pending() const {
    std::vector<EntryPtr> sorted = heap_;
    std::sort(sorted.begin(), sorted.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return before(*a, *b); });
    std::vector<DelayedCall> calls;
    calls.reserve(sorted.size());
    for (EntryPtr& entry : sorted) calls.emplace_back(std::move(entry));
    return calls;
}

void TimerQueue::place(std::size_t index, EntryPtr entry) noexcept {
    entry->index = index;
    heap_[index] = std::move(entry);
}

void TimerQueue::sift_up(std::size_t index) noexcept {
    EntryPtr moving = std::move(heap_[index]);
    while (index > 0) {
        std::size_t parent = (index - 1) / 2;
        if (!before(*moving, *heap_[parent])) break;
        place(index, std::move(heap_[parent]));
        index = parent;
    }
    place(index, std::move(moving));
}

void TimerQueue::sift_down(std::size_t index) noexcept {
    const std::size_t n = heap_.size();
    EntryPtr moving = std::move(heap_[index]);
    while (true) {
        std::size_t child = 2 * index + 1;
        if (child >= n) break;
        if (child + 1 < n && before(*heap_[child + 1], *heap_[child])) ++child;
        if (!before(*heap_[child], *moving)) break;
        place(index, std::move(heap_[child]));
        index = child;
    }
    place(index, std::move(moving));
}

TimerQueue::EntryPtr TimerQueue::remove_at(std::size_t index) noexcept {
    EntryPtr removed = std::move(heap_[index]);
    removed->index = TimerEntry::no_index;
    EntryPtr last = std::move(heap_.back());
    heap_.pop_back();
    if (index < heap_.size()) {
        // The last entry fills the hole; it may belong above or below it.
        const bool up = index > 0 && before(*last, *heap_[(index - 1) / 2]);
        place(index, std::move(last));
        if (up)
            sift_up(index);
        else
            sift_down(index);
    }
    return removed;
}

void TimerQueue::changed() {
    if (running_depth_ == 0 && on_change_) on_change_();
}

}  // namespace interloop::detail
