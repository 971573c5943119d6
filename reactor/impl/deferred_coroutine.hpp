#pragma once
// Deferred<T> as a coroutine type (Twisted's ensureDeferred / inlineCallbacks).
//
//   Deferred<int> total() {
//       int a = co_await fetch_a();   // any Deferred<U>; only Deferreds are awaitable here
//       co_return a + 1;
//   }
//
// The coroutine starts at once, on the caller's stack, and runs until it awaits an unfired
// Deferred. Awaiting a Deferred that already has its result does not suspend, so any number
// of such awaits runs in constant stack. A Failure is rethrown at the `co_await`. Cancelling
// the returned Deferred cancels the Deferred being awaited; its CancelledError is thrown at the
// `co_await`, and a coroutine that catches it may go on (a later cancel() cancels the next
// awaited Deferred).

#include <coroutine>
#include <exception>

namespace interloop {
namespace detail {

/// What every Deferred coroutine's promise shares, whatever its result type.
struct DeferredPromiseBase {
    ChainState* chain;               // the coroutine's own Deferred (one owned reference)
    ChainState* awaiting = nullptr;  // the Deferred awaited right now (not owned)
    ResultSlot outcome;              // what the coroutine returned or threw

    explicit DeferredPromiseBase(const std::type_info& type) : chain(make_chain(type)) {
        chain->canceller_settles = true;
        chain->canceller = [this](ChainState&) {
            if (awaiting) cancel(*awaiting);
        };
    }
    DeferredPromiseBase(const DeferredPromiseBase&) = delete;
    ~DeferredPromiseBase() {
        if (chain) {
            chain->canceller = nullptr;  // it points at this promise
            release(chain);
        }
    }

    std::suspend_never initial_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { outcome.set_failure(std::current_exception()); }

    /// Frees the frame first, then fires the Deferred: callbacks never run on a frame that
    /// is about to disappear under them.
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class Promise>
        void await_suspend(std::coroutine_handle<Promise> h) noexcept {
            DeferredPromiseBase& p = h.promise();
            ChainState* s = std::exchange(p.chain, nullptr);
            s->canceller = nullptr;
            bool fire = false;
            try {
                fire = begin_fire(*s);
            } catch (...) {
                // Fired from outside while the coroutine ran: the coroutine's result is lost.
            }
            if (fire) s->result.steal(p.outcome);
            h.destroy();
            if (fire) fired(*s);
            release(s);
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
};

/// `co_await d` inside a Deferred coroutine.
template <class U>
struct DeferredAwaiter {
    Deferred<U> awaited;
    DeferredPromiseBase* promise;
    ResultSlot result;

    struct ResumeStep {
        DeferredAwaiter* awaiter;
        std::coroutine_handle<> coroutine;

        ChainState* run(ChainState& s) noexcept {
            awaiter->result.steal(s.result);
            awaiter->promise->awaiting = nullptr;
            coroutine.resume();
            return nullptr;
        }
        void abandon() noexcept {
            awaiter->result.set_failure(std::make_exception_ptr(DroppedDeferredError()));
            awaiter->promise->awaiting = nullptr;
            coroutine.resume();
        }
    };

    bool await_ready() {
        ChainState& s = awaited.state();
        run_callbacks(s);  // a fired chain with callbacks still queued finishes them first
        if (result_ready(s)) {
            result.steal(s.result);
            return true;
        }
        if (!s.called && s.refs == 1) {  // only we hold it: nobody can ever fire it
            result.set_failure(std::make_exception_ptr(DroppedDeferredError()));
            return true;
        }
        return false;
    }

    void await_suspend(std::coroutine_handle<> h) {
        ChainState& s = awaited.state();
        promise->awaiting = &s;
        add_step<ResumeStep>(s, this, h);
        // Keeping our reference to an unfired Deferred would make a cycle through the frame
        // (Deferred -> step -> frame -> awaiter -> Deferred) and hide a dropped producer.
        if (!s.called) {
            Deferred<U> drop = std::move(awaited);
        }
    }

    U await_resume() {
        if (result.has_failure()) std::rethrow_exception(result.take_failure());
        if (!result.has_value()) fail_consumed_and_throw();
        if constexpr (std::is_void_v<U>)
            result.reset();
        else
            return result.template take<U>();
    }

    [[noreturn]] static void fail_consumed_and_throw() {
        throw std::logic_error("awaited Deferred's result was already taken");
    }
};

template <class T>
struct DeferredPromiseReturn : DeferredPromiseBase {
    using DeferredPromiseBase::DeferredPromiseBase;
    template <class V>
    void return_value(V&& value) {
        outcome.emplace<T>(std::forward<V>(value));
    }
};

template <>
struct DeferredPromiseReturn<void> : DeferredPromiseBase {
    using DeferredPromiseBase::DeferredPromiseBase;
    void return_void() { outcome.emplace<Unit>(); }
};

template <class T>
struct DeferredPromise : DeferredPromiseReturn<T> {
    DeferredPromise() : DeferredPromiseReturn<T>(typeid(stored_t<T>)) {}

    Deferred<T> get_return_object() { return Deferred<T>::share(this->chain); }

    template <class U>
    DeferredAwaiter<U> await_transform(Deferred<U> d) {
        return DeferredAwaiter<U>{std::move(d), this, {}};
    }

    template <class A>
    requires(!IsDeferred<A>) void await_transform(A&&) =
        delete;  // only Deferreds: wrap others with as_deferred()
};

}  // namespace detail
}  // namespace interloop
