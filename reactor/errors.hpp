#pragma once
// The exception types of the reactor layer (Twisted's defer and internet.error names).

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/failure.hpp"

namespace interloop {

/// A Deferred was fired (callback or errback) a second time.
class AlreadyCalledError : public std::logic_error {
public:
    AlreadyCalledError() : std::logic_error("Deferred has already been fired") {}
};

/// The operation was cancelled (the one cancellation error type on the Deferred side).
class CancelledError : public std::runtime_error {
public:
    CancelledError() : std::runtime_error("Deferred was cancelled") {}
    explicit CancelledError(const std::string& what) : std::runtime_error(what) {}
};

/// A Deferred was destroyed without ever being fired while something waited on it (a callback,
/// an outer chain, a coroutine): nobody could fire it any more, so the waiters get this error
/// instead of hanging forever (C++ has no garbage collector to notice the abandoned chain).
class DroppedDeferredError : public std::runtime_error {
public:
    DroppedDeferredError() : std::runtime_error("Deferred was destroyed without being fired") {}
};

/// `add_timeout` gave up waiting; `seconds` is the timeout that elapsed.
class TimeoutError : public std::runtime_error {
public:
    explicit TimeoutError(double seconds);
    double seconds() const noexcept { return seconds_; }

private:
    double seconds_;
};

/// The first failure of a DeferredList/gather_results that fails on one error.
class FirstError : public std::runtime_error {
public:
    FirstError(Failure failure, std::size_t index);
    const Failure& failure() const noexcept { return failure_; }
    std::size_t index() const noexcept { return index_; }

private:
    Failure failure_;
    std::size_t index_;
};

/// Every member of a `race` (or `first_success`) failed; the failures are in input order.
class FailureGroup : public std::runtime_error {
public:
    explicit FailureGroup(std::vector<Failure> failures);
    const std::vector<Failure>& failures() const noexcept { return failures_; }

private:
    std::vector<Failure> failures_;
};

/// `DelayedCall::cancel`/`reset`/`delay` on a call that already ran.
class AlreadyCalled : public std::logic_error {
public:
    AlreadyCalled() : std::logic_error("delayed call has already run") {}
};

/// `DelayedCall::cancel`/`reset`/`delay` on a call that was cancelled.
class AlreadyCancelled : public std::logic_error {
public:
    AlreadyCancelled() : std::logic_error("delayed call was already cancelled") {}
};

/// `DeferredQueue::put` on a full queue.
class QueueOverflow : public std::runtime_error {
public:
    QueueOverflow() : std::runtime_error("DeferredQueue is full") {}
};

/// `DeferredQueue::get` with too many waiters already pending.
class QueueUnderflow : public std::runtime_error {
public:
    QueueUnderflow() : std::runtime_error("DeferredQueue has too many pending gets") {}
};

/// `Reactor::stop` on a reactor that is not running.
class ReactorNotRunning : public std::logic_error {
public:
    ReactorNotRunning() : std::logic_error("reactor is not running") {}
};

/// `Reactor::run` on a reactor that is already running.
class ReactorAlreadyRunning : public std::logic_error {
public:
    ReactorAlreadyRunning() : std::logic_error("reactor is already running") {}
};

}  // namespace interloop
