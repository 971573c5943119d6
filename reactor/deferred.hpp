#pragma once
// Deferred<T>: a typed handle on one callback chain, with Twisted's semantics.

#include <concepts>
#include <exception>
#include <type_traits>
#include <utility>

#include "reactor/detail/chain.hpp"
#include "reactor/errors.hpp"
#include "reactor/failure.hpp"
#include "reactor/outcome.hpp"

namespace interloop {

template <class T>
class Deferred;

namespace detail {
template <class T>
struct DeferredPromise;
template <class T>
struct is_deferred : std::false_type {};
template <class T>
struct is_deferred<Deferred<T>> : std::true_type {};
}  // namespace detail

/// True for `Deferred<T>` types.
template <class T>
concept IsDeferred = detail::is_deferred<std::remove_cvref_t<T>>::value;

/// A result that is not there yet: a chain of (callback, errback) pairs that runs once, when
/// the Deferred is fired with a value (`callback`) or a `Failure` (`errback`).
///
/// * Each callback receives the previous callback's return value; an exception thrown by a
///   callback becomes a `Failure` handed to the next errback; an errback that returns a value
///   puts the chain back on the success path.
/// * Callbacks added to a fired Deferred run at once; callbacks added by a running callback
///   to its own Deferred run after it returns.
/// * A callback may return another `Deferred<U>`: the chain then waits for it and continues
///   with its result (a fired one is taken at once). Chains are run by a loop, not by
///   recursion, so nesting depth never grows the C stack.
/// * `add_callback` re-types the chain: on a `Deferred<int>`, `add_callback([](int) {
///   return std::string(); })` returns the same chain as a `Deferred<std::string>`. The
///   old handle then refuses further `add_callback`s (a `std::logic_error`): keep the new one.
/// * A `Failure` still unhandled when the last handle goes away is logged ("Unhandled error
///   in Deferred"); a never-fired Deferred with callbacks attached that loses its last handle
///   fails them with `DroppedDeferredError`, so nothing waits forever.
///
/// Handles are cheap to copy and share the chain. A Deferred belongs to one thread.
/// `Deferred<T>` is also a coroutine type: see `co_await` below.
template <class T>
class Deferred {
    static_assert(!std::is_reference_v<T>, "Deferred<T&> is not supported: use a pointer");
    using stored = detail::stored_t<T>;

public:
    using value_type = T;
    using promise_type = detail::DeferredPromise<T>;

    /// A new, unfired Deferred without a canceller.
    Deferred() : state_(detail::make_chain(typeid(stored))) {}

    /// A new, unfired Deferred whose `cancel()` calls `canceller(*this)` first. The canceller
    /// may fire the Deferred itself; if it does not, `cancel()` fails it with CancelledError.
    template <class Canceller>
    requires std::invocable<Canceller&, Deferred&>
    explicit Deferred(Canceller canceller) : Deferred() {
        state_->canceller = [c = std::move(canceller)](detail::ChainState& s) mutable {
            Deferred self = share(&s);
            c(self);
        };
    }

    Deferred(const Deferred& other) noexcept : state_(other.state_) { detail::add_ref(state_); }
    Deferred(Deferred&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
    Deferred& operator=(Deferred other) noexcept {
        std::swap(state_, other.state_);
        return *this;
    }
    ~Deferred() {
        if (state_) detail::release(state_);
    }

    /// Fires the chain with a value. Throws AlreadyCalledError if it was fired before (except
    /// once after a `cancel()` without canceller, which swallows one late fire).
    void callback(stored value) requires(!std::is_void_v<T>) { fire_value(std::move(value)); }
    void callback() requires std::is_void_v<T> { fire_value(detail::Unit{}); }

    /// Fires the chain with a failure. Same rules as `callback`.
    void errback(Failure failure) { errback(failure.exception()); }
    void errback(std::exception_ptr error) {
        check_head("errback");
        detail::fail_with(*state_, std::move(error));
    }

    /// Adds `f` to the success path; failures pass by. `f` takes the value (nothing for
    /// `Deferred<void>`) and returns `U`, `void`, `Deferred<U>` or `Outcome<U>`; the result is
    /// this chain re-typed as `Deferred<U>`.
    template <class F>
    auto add_callback(F&& f);

    /// Adds `f` to the failure path; values pass by. `f` takes a `Failure` and returns `T`
    /// (recovering), `Deferred<T>`, `Outcome<T>`, or a `Failure` (staying failed); it may also
    /// rethrow with `failure.raise()` or `failure.trap<E...>()`.
    template <class F>
    Deferred<T> add_errback(F&& f);

    /// Adds `f` to both paths: it takes an `Outcome<T>` (value or failure).
    template <class F>
    auto add_both(F&& f);

    /// Adds a callback and an errback as one pair: exactly one of them runs, and neither sees
    /// what the other returns. Both must produce the same `U`.
    template <class Cb, class Eb>
    auto add_callbacks(Cb&& callback, Eb&& errback);

    /// Stops the chain from running callbacks until a matching `unpause()`. Counts nesting.
    void pause() noexcept { detail::pause(*state_); }
    void unpause() { detail::unpause(*state_); }

    /// Asks for the operation to stop: if unfired, calls the canceller (if any) and fails the
    /// chain with CancelledError unless the canceller fired it; if it is waiting on another
    /// Deferred returned by a callback, cancels that one; if fired, does nothing.
    void cancel() { detail::cancel(*state_); }

    /// True once `callback` or `errback` was called (also if cancelled).
    bool called() const noexcept { return state_->called; }
    bool paused() const noexcept { return state_->paused > 0; }
    /// True when fired, not paused, not waiting on another Deferred, and its result has not
    /// been taken away (by an awaiting coroutine, `as_future`, or an outer chain).
    bool has_result() const noexcept {
        return detail::result_ready(*state_) && !state_->result.empty();
    }

    /// The shared chain (for the adapters of this library; not needed in user code).
    detail::ChainState& state() const noexcept { return *state_; }
    /// A new handle on an existing chain (adds a reference).
    static Deferred share(detail::ChainState* s) noexcept {
        detail::add_ref(s);
        return Deferred(s);
    }
    /// A handle that takes over one reference the caller owns.
    static Deferred adopt(detail::ChainState* s) noexcept { return Deferred(s); }
    /// Gives up this handle's reference to the caller.
    detail::ChainState* release_state() && noexcept { return std::exchange(state_, nullptr); }

private:
    explicit Deferred(detail::ChainState* s) noexcept : state_(s) {}

    void fire_value(stored&& value) {
        check_head("callback");
        if (!detail::begin_fire(*state_)) return;
        state_->result.template emplace<stored>(std::move(value));
        detail::fired(*state_);
    }
    void check_head(const char* what) const {
        if (state_->head_type != &typeid(stored))
            detail::check_type(*state_->head_type, typeid(stored), what);
    }
    void check_tail(const char* what) const {
        if (state_->tail_type != &typeid(stored))
            detail::check_type(*state_->tail_type, typeid(stored), what);
    }
    template <class U, class Step, class... Fs>
    Deferred<U> append(Fs&&... fs);

    template <class>
    friend class Deferred;

    detail::ChainState* state_;
};

/// A Deferred already fired with `value` (Twisted's `succeed`).
template <class T>
Deferred<std::decay_t<T>> succeed(T&& value) {
    Deferred<std::decay_t<T>> d;
    d.callback(std::forward<T>(value));
    return d;
}
inline Deferred<void> succeed() {
    Deferred<void> d;
    d.callback();
    return d;
}

/// A Deferred already failed with `failure` (Twisted's `fail`).
template <class T = void>
Deferred<T> fail(Failure failure) {
    Deferred<T> d;
    d.errback(std::move(failure));
    return d;
}

/// A Deferred already failed with the exception object `error`.
template <class T = void, class E>
requires std::derived_from<std::decay_t<E>, std::exception> Deferred<T> fail(E&& error) {
    return fail<T>(Failure::from(std::forward<E>(error)));
}

}  // namespace interloop

#include "reactor/impl/deferred.hpp"
#include "reactor/impl/deferred_coroutine.hpp"
