#pragma once
// as_future: await a Deferred from Asio (Twisted's Deferred.asFuture).

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <type_traits>

#include "bridge/errors.hpp"
#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"

namespace interloop {

/// The completion signature of waiting for a `Deferred<T>`: `void(std::exception_ptr, T)`,
/// or `void(std::exception_ptr)` for `Deferred<void>`.
template <class T>
struct deferred_signature {
    using type = void(std::exception_ptr, T);
};
template <>
struct deferred_signature<void> {
    using type = void(std::exception_ptr);
};
template <class T>
using deferred_signature_t = typename deferred_signature<T>::type;

/// Waits for `d` as an Asio asynchronous operation, so any completion token works:
/// `use_awaitable`, `use_future`, `deferred`, `as_tuple(...)`, or a plain callback.
///
/// @par Completion Signature
/// `void(std::exception_ptr, T)`: the value, or the Failure's original exception (so a
/// coroutine can catch it by type). `T` must be default-constructible (Asio passes a `T`
/// alongside an exception); for others await a `Deferred<std::optional<T>>`.
///
/// * Call it on the thread that owns `d` (the reactor's). In two-loop mode, use
///   `async_call` / `as_future(reactor, fn)` instead, which hop to that thread first.
/// * Consumes `d`'s result: a failure handed over here is never reported as unhandled.
/// * Never completes inline: the handler runs through its associated executor (a coroutine's
///   executor for `use_awaitable`), posted even when `d` has already fired. A handler without
///   an executor of its own (a plain lambda) runs on the reactor's thread via the reactor.
/// * Cancellation: when the handler's cancellation slot is emitted (a timeout through
///   awaitable operators `||`, a `parallel_group`, a `cancellation_signal`), the operation
///   completes at once with `operation_aborted` and `d.cancel()` is requested on its thread;
///   whatever `d` produces afterwards (even a value from its canceller) is consumed and dropped.
/// * A `d` dropped unfired by its producer completes the operation with
///   `DroppedDeferredError`; a reactor destroyed before the wait could start completes it with
///   `LoopClosedError`.
template <class T, class CompletionToken>
auto async_wait(Deferred<T> d, CompletionToken&& token);

/// Runs `fn` (which returns a `Deferred<T>`) on `reactor`'s thread and waits for its
/// Deferred there, completing like `async_wait`. This is the spelling that works in both
/// modes: in shared-loop mode `fn` runs at once, in two-loop mode the call hops to the
/// reactor's thread. An exception thrown by `fn` completes the operation with it.
template <class F, class CompletionToken>
auto async_call(Reactor& reactor, F fn, CompletionToken&& token);

/// `T v = co_await as_future(d);` — `async_wait(d, use_awaitable)`.
template <class T>
boost::asio::awaitable<T> as_future(Deferred<T> d) {
    return async_wait(std::move(d), boost::asio::use_awaitable);
}

/// `T v = co_await as_future(reactor, [&] { return api.fetch(url); });` — `async_call(reactor,
/// fn, use_awaitable)`: the same line in shared-loop and two-loop mode.
template <class F>
auto as_future(Reactor& reactor, F fn) {
    return async_call(reactor, std::move(fn), boost::asio::use_awaitable);
}

}  // namespace interloop

#include "bridge/impl/as_future.hpp"
