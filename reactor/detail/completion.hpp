#pragma once
// Reduces whatever a user callable returned to "finished now" or "finished when this fires".
//
// Private helper of looping_call.hpp and cooperator.hpp: a completion-only cousin of
// maybe_deferred (which another header provides); it never allocates for a plain value.

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "reactor/deferred.hpp"

namespace interloop::detail {

/// Calls `f(args...)` and tells when it finished: `std::nullopt` when it finished now (it
/// returned `void`, a value, or a successful `Outcome`), or a `Deferred<void>` that fires when
/// it finishes (it returned a `Deferred<U>`; the value is dropped, a failure is kept).
/// Exceptions thrown by `f` propagate, and so does a returned `Failure` or failed `Outcome`.
template <class F, class... Args>
std::optional<Deferred<void>> call_for_completion(F& f, Args&&... args) {
    using R = std::remove_cvref_t<std::invoke_result_t<F&, Args...>>;
    if constexpr (std::is_void_v<R>) {
        std::invoke(f, std::forward<Args>(args)...);
        return std::nullopt;
    } else if constexpr (IsDeferred<R>) {
        R d = std::invoke(f, std::forward<Args>(args)...);
        if constexpr (std::is_void_v<typename R::value_type>)
            return std::optional<Deferred<void>>(std::move(d));
        else
            return std::optional<Deferred<void>>(d.add_callback([](auto&&) {}));
    } else if constexpr (is_outcome<R>::value) {
        R r = std::invoke(f, std::forward<Args>(args)...);
        if (!r.has_value()) r.failure().raise();
        return std::nullopt;
    } else if constexpr (std::is_same_v<R, Failure>) {
        std::invoke(f, std::forward<Args>(args)...).raise();
    } else {
        (void)std::invoke(f, std::forward<Args>(args)...);
        return std::nullopt;
    }
}

}  // namespace interloop::detail
