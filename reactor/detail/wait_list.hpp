#pragma once
// WaitList<T>: the line of Deferreds waiting for a lock, a semaphore token or a queue item
// (the `waiting` list with cancellable entries of Twisted's DeferredLock, DeferredSemaphore
// and DeferredQueue, written once).

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <utility>

#include "reactor/deferred.hpp"

namespace interloop::detail {

/// Waiters in arrival order. `wait()` adds one and returns its Deferred; `grant(value)` hands
/// a value to the oldest one and fires its Deferred with it.
///
/// * Cancelling a waiter that is still waiting removes it from the line (it fails with
///   CancelledError and a later grant skips it). Cancelling one that was already granted
///   has no effect: it keeps what it was given.
/// * A grant made while another grant is being delivered (a waiter's callback that releases
///   the lock again, or puts into the queue again) changes the bookkeeping at once but fires
///   its waiter only when the delivery in progress returns, in order. So a long line of
///   waiters whose callbacks release at once is served in constant stack depth, where
///   Twisted recurses once per waiter.
/// * Destroying the list lets go of the waiters: one that nobody else holds and that has
///   callbacks fails them with DroppedDeferredError, as any Deferred nobody can fire.
template <class T>
class WaitList {
    using Value = stored_t<T>;

    struct Node {
        std::optional<Deferred<T>> deferred;
        std::optional<Value> value;  // set when granted
        bool granted = false;
    };
    using Iterator = typename std::list<Node>::iterator;

    struct Core {
        std::list<Node> waiting;  // oldest first, not yet granted
        std::list<Node> granted;  // granted, waiting for their delivery, oldest first
        bool delivering = false;
    };

public:
    WaitList() : core_(std::make_shared<Core>()) {}
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;

    /// Number of waiters not yet granted.
    std::size_t size() const noexcept { return core_->waiting.size(); }
    bool empty() const noexcept { return core_->waiting.empty(); }

    /// A new waiter at the end of the line.
    Deferred<T> wait() {
        Core& core = *core_;
        Iterator it = core.waiting.emplace(core.waiting.end());
        try {
            it->deferred.emplace([weak = std::weak_ptr<Core>(core_), it](Deferred<T>& self) {
                cancelled(weak, it, self);
            });
        } catch (...) {
            core.waiting.erase(it);
            throw;
        }
        return *it->deferred;
    }

    /// Gives `value` to the oldest waiter and fires it (see above for grants made during a
    /// delivery). Returns false, leaving `value` untouched, when nobody waits.
    bool grant(Value&& value) {
        Core& core = *core_;
        while (!core.waiting.empty()) {
            Iterator it = core.waiting.begin();
            if (it->deferred->called()) {  // fired by hand behind our back: not a waiter
                core.waiting.erase(it);
                continue;
            }
            it->value.emplace(std::move(value));
            it->granted = true;
            core.granted.splice(core.granted.end(), core.waiting, it);
            deliver();
            return true;
        }
        return false;
    }

private:
    static void fire(Deferred<T>& d, Value&& value) {
        if (d.called()) return;
        if constexpr (std::is_void_v<T>)
            d.callback();
        else
            d.callback(std::move(value));
    }

    void deliver() {
        std::shared_ptr<Core> core = core_;  // a waiter's callback may destroy our owner
        if (core->delivering) return;        // the delivery in progress will get to it
        core->delivering = true;
        struct Done {
            Core& core;
            ~Done() { core.delivering = false; }
        } done{*core};
        while (!core->granted.empty()) {
            Node& node = core->granted.front();
            Deferred<T> d = std::move(*node.deferred);
            Value value = std::move(*node.value);
            core->granted.pop_front();
            fire(d, std::move(value));
        }
    }

    /// The canceller of a waiter (it only runs while the waiter is unfired, so `it` is valid
    /// as long as the list lives).
    static void cancelled(const std::weak_ptr<Core>& weak, Iterator it, Deferred<T>& self) {
        std::shared_ptr<Core> core = weak.lock();
        if (!core) return;  // the list is gone: CancelledError
        if (!it->granted) {
            core->waiting.erase(it);  // out of the line; cancel() fails it with CancelledError
            return;
        }
        Value value = std::move(*it->value);  // granted but not delivered yet: deliver now
        core->granted.erase(it);
        fire(self, std::move(value));
    }

    std::shared_ptr<Core> core_;
};

}  // namespace interloop::detail
