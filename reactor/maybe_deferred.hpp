#pragma once
// maybe_deferred: call a function now and always get a Deferred back (Twisted's maybeDeferred).

#include <exception>
#include <functional>
#include <type_traits>
#include <utility>

#include "reactor/deferred.hpp"

namespace interloop {
namespace detail {

/// The value type of the Deferred that `maybe_deferred` makes from a function returning `R`.
/// The same mapping as a callback's return value (`chain_value`), except a bare `Failure`.
template <class R>
struct maybe_deferred_value : chain_value<R> {};
template <>
struct maybe_deferred_value<Failure> {
    using type = void;
};

}  // namespace detail

/// `Deferred<maybe_deferred_t<F, Args...>>` is what `maybe_deferred(f, args...)` returns.
template <class F, class... Args>
using maybe_deferred_t = typename detail::maybe_deferred_value<
    std::remove_cvref_t<std::invoke_result_t<F, Args...>>>::type;

/// Calls `f(args...)` now and turns whatever happens into a Deferred (Twisted's
/// `maybeDeferred`):
///
/// * `f` throws → a Deferred failed with that exception;
/// * `f` returns a `Deferred<U>` → that same Deferred, as is (fired or not);
/// * `f` returns an `Outcome<U>` → a Deferred fired with its value or failure;
/// * `f` returns a `Failure` → a failed `Deferred<void>` (a function that only ever returns a
///   Failure has no value type; wrap it in `Outcome<U>` to choose one);
/// * `f` returns `void` → a fired `Deferred<void>`; any other value → `succeed(value)`
///   (references are copied: `Deferred<T&>` does not exist).
///
/// A Deferred coroutine is just a function returning a Deferred, so it is covered by the
/// second case (Twisted's extra coroutine case is not needed).
template <class F, class... Args>
requires std::invocable<F, Args...> Deferred<maybe_deferred_t<F, Args...>> maybe_deferred(
    F&& f, Args&&... args) {
    using R = std::invoke_result_t<F, Args...>;
    using V = std::remove_cvref_t<R>;
    using U = maybe_deferred_t<F, Args...>;
    try {
        if constexpr (std::is_void_v<R>) {
            std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
            return succeed();
        } else if constexpr (IsDeferred<V>) {
            return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
        } else if constexpr (detail::is_outcome<V>::value) {
            V outcome = std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
            if (!outcome.has_value()) return fail<U>(outcome.failure());
            if constexpr (std::is_void_v<U>)
                return succeed();
            else
                return succeed(std::move(outcome).value());
        } else if constexpr (std::is_same_v<V, Failure>) {
            return fail<void>(std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
        } else {
            return succeed(V(std::invoke(std::forward<F>(f), std::forward<Args>(args)...)));
        }
    } catch (...) {
        return fail<U>(Failure(std::current_exception()));
    }
}

}  // namespace interloop
