#pragma once
// as_deferred: run an Asio coroutine and get a Deferred of its result (Twisted's
// Deferred.fromFuture / Scrapy's deferred_from_coro).

#include <boost/asio/awaitable.hpp>

#include "bridge/errors.hpp"
#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"

namespace interloop {

/// Spawns `aw` on `executor` (with `co_spawn`) and returns a `Deferred<T>` that fires on
/// `reactor`'s thread with the coroutine's value or exception. Call it on the reactor's
/// thread. `T` need not be default-constructible, and no exception is swallowed.
///
/// * When it starts: `co_spawn` dispatches the coroutine to `executor`. In shared-loop mode
///   (`executor` is the io_context the reactor runs on, and we are inside it) it starts at
///   once, on the caller's stack, and runs to its first suspension — like a Deferred
///   coroutine. In two-loop mode it starts when the Asio thread picks it up. Either way the
///   Deferred never fires before `as_deferred` returns.
/// * Cancelling the Deferred requests cancellation of the coroutine: a terminal
///   `cancellation_signal` emitted on `executor`, so the operation it is awaiting completes
///   with `operation_aborted`. The Deferred settles only when the coroutine really ends: with
///   `CancelledError` if it ended by that cancellation, with its value if it finished anyway
///   (or its own exception). Cancelled before it started, it never runs its body and fails
///   with `CancelledError`.
/// * Dropping the Deferred does not stop the coroutine (as with Twisted's fromFuture).
/// * Shutdown: if the reactor is destroyed first, the Deferred fails with `LoopClosedError`
///   at that moment and the coroutine is asked to cancel; if the io_context is destroyed with
///   the coroutine unfinished, the Deferred fails with `LoopClosedError` on the reactor.
/// * With several threads running one io_context, pass a strand as `executor`: cancellation
///   is emitted through it.
template <class Executor, class T>
Deferred<T> as_deferred(Reactor& reactor, Executor executor, boost::asio::awaitable<T> aw);

/// `as_deferred(*Reactor::current(), executor, aw)`: for code running on a reactor's thread.
/// Throws std::logic_error if no reactor runs on this thread.
template <class Executor, class T>
Deferred<T> as_deferred(Executor executor, boost::asio::awaitable<T> aw);

}  // namespace interloop

#include "bridge/impl/as_deferred.hpp"
