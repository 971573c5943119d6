#pragma once
// How Deferred<T> turns user callables into chain steps.

#include <functional>
#include <stdexcept>

namespace interloop {
namespace detail {

/// The missing half of a pair: lets the result pass by unchanged.
struct PassThrough {};

template <class T>
struct is_outcome : std::false_type {};
template <class T>
struct is_outcome<Outcome<T>> : std::true_type {};

/// The value type a chain carries after a callback returned `R`.
template <class R>
struct chain_value {
    using type = R;
};
template <class U>
struct chain_value<Deferred<U>> {
    using type = U;
};
template <class U>
struct chain_value<Outcome<U>> {
    using type = U;
};

/// What an errback returning `R` leaves on a `Deferred<T>`: a `Failure` keeps it at `T`.
template <class T, class R>
using errback_value_t =
    std::conditional_t<std::is_same_v<R, Failure>, T, typename chain_value<R>::type>;

template <class F, class... Args>
using callback_value_t =
    typename chain_value<std::remove_cvref_t<std::invoke_result_t<F&, Args...>>>::type;

/// Stores what a callback returned into the chain's result. A returned Deferred is handed
/// back (with its reference) for the run loop to wait on.
template <class R>
ChainState* store_result(ChainState& s, R&& r) {
    using V = std::remove_cvref_t<R>;
    if constexpr (is_deferred<V>::value) {
        return V(std::forward<R>(r)).release_state();
    } else if constexpr (is_outcome<V>::value) {
        if (!r.has_value())
            s.result.set_failure(r.failure().exception());
        else if constexpr (std::is_void_v<typename chain_value<V>::type>)
            s.result.emplace<Unit>();
        else
            s.result.emplace<typename chain_value<V>::type>(std::move(r).value());
        return nullptr;
    } else if constexpr (std::is_same_v<V, Failure>) {
        s.result.set_failure(r.exception());
        return nullptr;
    } else {
        s.result.emplace<V>(std::forward<R>(r));
        return nullptr;
    }
}

/// Calls a user callable and stores its outcome; an exception becomes the chain's failure.
template <class F, class... Args>
ChainState* invoke_into(ChainState& s, F& f, Args&&... args) noexcept {
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F&, Args...>>) {
            std::invoke(f, std::forward<Args>(args)...);
            s.result.emplace<Unit>();
            return nullptr;
        } else {
            return store_result(s, std::invoke(f, std::forward<Args>(args)...));
        }
    } catch (...) {
        s.result.set_failure(std::current_exception());
        return nullptr;
    }
}

inline ChainState* fail_consumed(ChainState& s) noexcept {
    s.result.set_failure(std::make_exception_ptr(std::logic_error(
        "Deferred result was already taken (awaited, chained or converted) before this "
        "callback")));
    return nullptr;
}

/// A (callback, errback) pair on a chain carrying `T`; either side may be PassThrough.
template <class T, class Cb, class Eb>
struct CallbackStep {
    [[no_unique_address]] Cb on_value;
    [[no_unique_address]] Eb on_failure;

    ChainState* run(ChainState& s) noexcept {
        if (s.result.has_failure()) {
            if constexpr (std::is_same_v<Eb, PassThrough>) {
                return nullptr;
            } else {
                Failure failure(s.result.take_failure());
                return invoke_into(s, on_failure, std::move(failure));
            }
        }
        if constexpr (std::is_same_v<Cb, PassThrough>) {
            return nullptr;
        } else {
            if (!s.result.has_value()) return fail_consumed(s);
            if constexpr (std::is_void_v<T>) {
                s.result.reset();
                return invoke_into(s, on_value);
            } else {
                T value = s.result.take<T>();
                return invoke_into(s, on_value, std::move(value));
            }
        }
    }
};

/// One callable for both paths, given an `Outcome<T>`.
template <class T, class F>
struct BothStep {
    F fn;

    ChainState* run(ChainState& s) noexcept {
        if (s.result.has_failure()) {
            Outcome<T> outcome(Failure(s.result.take_failure()));
            return invoke_into(s, fn, std::move(outcome));
        }
        if (!s.result.has_value()) return fail_consumed(s);
        if constexpr (std::is_void_v<T>) {
            s.result.reset();
            return invoke_into(s, fn, Outcome<void>());
        } else {
            Outcome<T> outcome(s.result.take<T>());
            return invoke_into(s, fn, std::move(outcome));
        }
    }
};

/// The value type after a callback `F` on a chain carrying `T` (called without argument for
/// `void`).
template <class T, class F>
struct value_callback_result {
    using type = callback_value_t<F, T&&>;
};
template <class F>
struct value_callback_result<void, F> {
    using type = callback_value_t<F>;
};
template <class T, class F>
using value_callback_result_t = typename value_callback_result<T, F>::type;

}  // namespace detail

template <class T>
template <class U, class Step, class... Fs>
Deferred<U> Deferred<T>::append(Fs&&... fs) {
    check_tail("add_callback");
    detail::add_step<Step>(*state_, std::forward<Fs>(fs)...);
    state_->tail_type = &typeid(detail::stored_t<U>);
    return Deferred<U>::share(state_);
}

template <class T>
template <class F>
auto Deferred<T>::add_callback(F&& f) {
    using Fn = std::decay_t<F>;
    using U = detail::value_callback_result_t<T, Fn>;
    return append<U, detail::CallbackStep<T, Fn, detail::PassThrough>>(std::forward<F>(f),
                                                                       detail::PassThrough{});
}

template <class T>
template <class F>
Deferred<T> Deferred<T>::add_errback(F&& f) {
    using Fn = std::decay_t<F>;
    using R = std::remove_cvref_t<std::invoke_result_t<Fn&, Failure&&>>;
    static_assert(std::is_same_v<detail::errback_value_t<T, R>, T>,
                  "an errback on Deferred<T> must return T, Deferred<T>, Outcome<T> or Failure");
    return append<T, detail::CallbackStep<T, detail::PassThrough, Fn>>(detail::PassThrough{},
                                                                       std::forward<F>(f));
}

template <class T>
template <class F>
auto Deferred<T>::add_both(F&& f) {
    using Fn = std::decay_t<F>;
    using U = detail::callback_value_t<Fn, Outcome<T>&&>;
    return append<U, detail::BothStep<T, Fn>>(std::forward<F>(f));
}

template <class T>
template <class Cb, class Eb>
auto Deferred<T>::add_callbacks(Cb&& callback, Eb&& errback) {
    using C = std::decay_t<Cb>;
    using E = std::decay_t<Eb>;
    using U = detail::value_callback_result_t<T, C>;
    using R = std::remove_cvref_t<std::invoke_result_t<E&, Failure&&>>;
    static_assert(std::is_same_v<detail::errback_value_t<U, R>, U>,
                  "add_callbacks: the errback must produce the same type as the callback");
    return append<U, detail::CallbackStep<T, C, E>>(std::forward<Cb>(callback),
                                                    std::forward<Eb>(errback));
}

}  // namespace interloop
