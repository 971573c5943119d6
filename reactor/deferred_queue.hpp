#pragma once
// DeferredQueue<T>: a queue whose get() returns a Deferred (Twisted's DeferredQueue).

#include <cstddef>
#include <deque>
#include <limits>
#include <type_traits>
#include <utility>

#include "reactor/deferred.hpp"
#include "reactor/detail/wait_list.hpp"
#include "reactor/errors.hpp"

namespace interloop {

/// A FIFO of values for callback code (Twisted's `DeferredQueue`): producers `put`, consumers
/// `get` a Deferred that fires with the next value. At most `size` values are buffered and at
/// most `backlog` gets wait at once; both are unlimited by default.
///
/// A pending get that is cancelled leaves the line (CancelledError) and a later put goes to
/// the next waiter instead. Destroying the queue lets go of the pending gets (one nobody else
/// holds fails its callbacks with DroppedDeferredError). `T` may be move-only; it may not be
/// void (a queue of nothing is a DeferredSemaphore).
template <class T>
class DeferredQueue {
    static_assert(!std::is_void_v<T>, "DeferredQueue<void> is not supported");

public:
    static constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

    explicit DeferredQueue(std::size_t size = unlimited, std::size_t backlog = unlimited)
        : size_(size), backlog_(backlog) {}
    DeferredQueue(const DeferredQueue&) = delete;
    DeferredQueue& operator=(const DeferredQueue&) = delete;

    /// Hands `value` to the oldest pending get (firing it), or else buffers it; throws
    /// QueueOverflow when `size` values are already buffered.
    void put(T value) {
        if (waiting_.grant(std::move(value))) return;
        if (pending_.size() >= size_) throw QueueOverflow();
        pending_.push_back(std::move(value));
    }

    /// A Deferred fired with the oldest buffered value (already fired if there is one);
    /// otherwise a pending Deferred fired by a later put. Throws QueueUnderflow when `backlog`
    /// gets are already pending.
    Deferred<T> get() {
        if (!pending_.empty()) {
            Deferred<T> d = succeed(std::move(pending_.front()));
            pending_.pop_front();
            return d;
        }
        if (waiting_.size() >= backlog_) throw QueueUnderflow();
        return waiting_.wait();
    }

    /// The number of values buffered (Twisted's `len(pending)`).
    std::size_t pending() const noexcept { return pending_.size(); }
    /// The number of gets waiting for a value (Twisted's `len(waiting)`).
    std::size_t waiting() const noexcept { return waiting_.size(); }
    /// The most values it buffers (Twisted's `size`); `unlimited` by default.
    std::size_t size() const noexcept { return size_; }
    /// The most gets that may wait at once (Twisted's `backlog`); `unlimited` by default.
    std::size_t backlog() const noexcept { return backlog_; }

private:
    std::size_t size_;
    std::size_t backlog_;
    std::deque<T> pending_;
    detail::WaitList<T> waiting_;
};

}  // namespace interloop
