// DelayedCall: the user's handle on a TimerQueue entry.

#include <cmath>
#include <stdexcept>

#include "reactor/detail/timer_queue.hpp"
#include "reactor/errors.hpp"

namespace interloop {
namespace {

// The entry a handle may still change: pending and attached to a live queue. A call whose
// reactor (queue) was destroyed was marked cancelled by the queue's destructor.
detail::TimerEntry& changeable(const std::shared_ptr<detail::TimerEntry>& entry) {
    if (!entry) throw std::logic_error("DelayedCall: the handle refers to no call");
    switch (entry->state) {
        case detail::TimerState::called:
            throw AlreadyCalled();
        case detail::TimerState::cancelled:
            throw AlreadyCancelled();
        case detail::TimerState::pending:
            break;
    }
    return *entry;
}

// Negative and NaN delays count as zero, as in call_later.
double non_negative(Duration d) {
    return d.count() > 0 ? d.count() : 0.0;
}

}  // namespace

void DelayedCall::cancel() {
    detail::TimerEntry& entry = changeable(entry_);
    entry.queue->cancel(entry);
}

void DelayedCall::reset(Duration delay) {
    detail::TimerEntry& entry = changeable(entry_);
    entry.queue->reschedule(entry, entry.queue->now() + non_negative(delay));
}

void DelayedCall::delay(Duration extra) {
    detail::TimerEntry& entry = changeable(entry_);
    // NaN would break the heap's ordering; treat it as "no change" like a zero delay.
    const double shift = std::isnan(extra.count()) ? 0.0 : extra.count();
    entry.queue->reschedule(entry, entry.time + shift);
}

bool DelayedCall::active() const {
    return entry_ && entry_->state == detail::TimerState::pending;
}

double DelayedCall::time() const {
    if (!entry_) throw std::logic_error("DelayedCall: the handle refers to no call");
    return entry_->time;
}

}  // namespace interloop
