#pragma once
// DeferredLock and DeferredSemaphore: mutual exclusion and bounded concurrency for callback
// code (Twisted's DeferredLock and DeferredSemaphore).

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <utility>

#include "reactor/deferred.hpp"
#include "reactor/detail/wait_list.hpp"
#include "reactor/maybe_deferred.hpp"

namespace interloop {
namespace detail {

/// The token count and the line of waiters behind DeferredLock (one token) and
/// DeferredSemaphore (Twisted's `_ConcurrencyPrimitive` and the two classes on top of it).
class TokenPool {
public:
    explicit TokenPool(std::size_t limit) : tokens_(limit), limit_(limit) {}

    std::size_t tokens() const noexcept { return tokens_; }
    std::size_t limit() const noexcept { return limit_; }

    Deferred<void> acquire() {
        if (tokens_ == 0) return waiting_.wait();
        --tokens_;
        return succeed();
    }

    void release(const char* misuse) {
        if (tokens_ >= limit_) throw std::logic_error(misuse);
        if (!waiting_.grant(Unit{})) ++tokens_;  // else the token went to the oldest waiter
    }

    /// acquire, then `f(args...)` through maybe_deferred, then release whatever it produced.
    template <class F, class... Args>
    static auto run(const std::shared_ptr<TokenPool>& pool, const char* misuse, F&& f,
                    Args&&... args) {
        using U = maybe_deferred_t<std::decay_t<F>, std::decay_t<Args>...>;
        return pool->acquire().add_callback([weak = std::weak_ptr<TokenPool>(pool), misuse,
                                             fn = std::forward<F>(f),
                                             ... captured = std::forward<Args>(args)]() mutable {
            // Released on the Deferred of `f` itself, so a run cancelled while still
            // waiting for the token never releases one it did not get.
            return maybe_deferred(std::move(fn), std::move(captured)...)
                .add_both([weak, misuse](Outcome<U> outcome) {
                    if (auto alive = weak.lock()) alive->release(misuse);
                    return outcome;
                });
        });
    }

private:
    std::size_t tokens_;
    std::size_t limit_;
    WaitList<void> waiting_;
};

}  // namespace detail

/// A lock for callback code (Twisted's `DeferredLock`): `acquire()` fires at once when the
/// lock is free, otherwise when the holders before it have released it, in FIFO order.
/// Cancelling a pending `acquire()` takes it out of the line (CancelledError); cancelling
/// one that already has the lock does nothing. Not copyable; a moved-from lock may only be
/// destroyed or assigned to. Destroying a lock with waiters lets go of them (a waiter nobody
/// else holds fails its callbacks with DroppedDeferredError).
class DeferredLock {
public:
    DeferredLock() : pool_(std::make_shared<detail::TokenPool>(1)) {}
    DeferredLock(DeferredLock&&) noexcept = default;
    DeferredLock& operator=(DeferredLock&&) noexcept = default;

    /// A Deferred that fires once the caller holds the lock (synchronously if it is free).
    Deferred<void> acquire() { return pool_->acquire(); }

    /// Gives the lock to the oldest waiter, or frees it. Throws std::logic_error if the lock
    /// is not locked (Twisted asserts).
    void release() {
        std::shared_ptr<detail::TokenPool> keep = pool_;  // a waiter may destroy this lock
        keep->release("DeferredLock::release: the lock is not locked");
    }

    /// True while someone holds the lock.
    bool locked() const noexcept { return pool_->tokens() == 0; }

    /// Runs `f(args...)` while holding the lock (Twisted's `run`): acquires, calls `f`
    /// through `maybe_deferred`, releases when its result is known (value or failure), and
    /// fires with that result. `f` and `args` are stored (decayed) until the lock is
    /// acquired, then `f` is called once with them as rvalues.
    template <class F, class... Args>
    auto run(F&& f, Args&&... args) {
        return detail::TokenPool::run(pool_, "DeferredLock::run: the lock was released by hand",
                                      std::forward<F>(f), std::forward<Args>(args)...);
    }

private:
    std::shared_ptr<detail::TokenPool> pool_;
};

/// A counting semaphore for callback code (Twisted's `DeferredSemaphore`): at most `limit`
/// holders at once, the others wait in FIFO order. Same rules as DeferredLock for
/// cancellation, moving and destruction.
class DeferredSemaphore {
public:
    /// Throws std::invalid_argument if `tokens` < 1 (Twisted's ValueError).
    explicit DeferredSemaphore(std::ptrdiff_t tokens) : pool_(make_pool(tokens)) {}
    DeferredSemaphore(DeferredSemaphore&&) noexcept = default;
    DeferredSemaphore& operator=(DeferredSemaphore&&) noexcept = default;

    /// A Deferred that fires once the caller holds a token (synchronously if one is free).
    Deferred<void> acquire() { return pool_->acquire(); }

    /// Gives the token to the oldest waiter, or back to the pool. Throws std::logic_error when
    /// every token is already back (released more often than acquired; Twisted asserts).
    void release() {
        std::shared_ptr<detail::TokenPool> keep = pool_;
        keep->release("DeferredSemaphore::release: released more times than acquired");
    }

    /// The number of tokens free right now (Twisted's `tokens`).
    std::size_t tokens() const noexcept { return pool_->tokens(); }
    /// The number of tokens it was created with (Twisted's `limit`).
    std::size_t limit() const noexcept { return pool_->limit(); }

    /// Runs `f(args...)` while holding a token; see DeferredLock::run.
    template <class F, class... Args>
    auto run(F&& f, Args&&... args) {
        return detail::TokenPool::run(pool_,
                                      "DeferredSemaphore::run: the token was released by hand",
                                      std::forward<F>(f), std::forward<Args>(args)...);
    }

private:
    static std::shared_ptr<detail::TokenPool> make_pool(std::ptrdiff_t tokens) {
        if (tokens < 1) throw std::invalid_argument("DeferredSemaphore needs at least 1 token");
        return std::make_shared<detail::TokenPool>(static_cast<std::size_t>(tokens));
    }

    std::shared_ptr<detail::TokenPool> pool_;
};

}  // namespace interloop
