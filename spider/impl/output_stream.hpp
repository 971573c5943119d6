#pragma once
// How an OutputStream runs: its promise, its awaiters, and the resumptions from Deferreds.

#include <stdexcept>
#include <type_traits>

#include "bridge/as_deferred.hpp"

namespace interloop::spider::detail {

/// Outlives the frame: a Deferred's callback reaches the coroutine through it, and finds it
/// null once the frame is gone.
struct StreamLink {
    std::coroutine_handle<StreamPromise> handle;
};

/// One counted reference on a Deferred's chain, whatever its type.
class ChainRef {
public:
    explicit ChainRef(interloop::detail::ChainState* chain) noexcept : chain_(chain) {
        interloop::detail::add_ref(chain_);
    }
    ChainRef(ChainRef&& other) noexcept : chain_(std::exchange(other.chain_, nullptr)) {}
    ChainRef& operator=(ChainRef&&) = delete;
    ~ChainRef() {
        if (chain_) interloop::detail::release(chain_);
    }
    void cancel() { interloop::detail::cancel(*chain_); }

private:
    interloop::detail::ChainState* chain_;
};

template <class A>
struct is_asio_awaitable : std::false_type {};
template <class T, class Executor>
struct is_asio_awaitable<boost::asio::awaitable<T, Executor>> : std::true_type {};

struct StreamPromise {
    std::optional<Output> current;  // yielded, not taken yet
    std::exception_ptr error;
    bool finished = false;
    bool suspended = false;  // awaiting something not ready
    bool running = false;    // the body runs now (a nested advance must not resume it)
    interloop::detail::ChainState* awaiting = nullptr;  // not owned; cleared when it fires
    const StreamContext* context = nullptr;
    UniqueFunction<void()> on_ready;
    std::shared_ptr<StreamLink> link;  // made at the first suspension

    StreamPromise() = default;
    StreamPromise(const StreamPromise&) = delete;
    ~StreamPromise() {
        if (link) link->handle = nullptr;
    }

    OutputStream get_return_object() noexcept {
        return OutputStream(std::coroutine_handle<StreamPromise>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept { finished = true; }
    void unhandled_exception() noexcept {
        error = std::current_exception();
        finished = true;
    }
    std::suspend_always yield_value(Output output) {
        current.emplace(std::move(output));
        return {};
    }

    template <class U>
    auto await_transform(Deferred<U> awaited);
    template <class T, class Executor>
    auto await_transform(boost::asio::awaitable<T, Executor> awaitable);
    template <class A>
    requires(!IsDeferred<A> && !is_asio_awaitable<std::decay_t<A>>::value) void await_transform(
        A&&) = delete;  // a coroutine callback awaits Deferreds and asio::awaitables only

    /// Called by an awaited Deferred's callback: runs the body on, then tells the consumer
    /// if it has an output or ended (not if it awaits again).
    void resume_from_callback() {
        suspended = false;
        run();
        if (suspended || !on_ready) return;
        // The consumer may destroy the stream from on_ready: call it from outside the frame.
        std::shared_ptr<StreamLink> alive = link;
        UniqueFunction<void()> notify = std::move(on_ready);
        try {
            notify();
        } catch (...) {
            if (alive->handle) alive->handle.promise().on_ready = std::move(notify);
            throw;
        }
        if (alive->handle) alive->handle.promise().on_ready = std::move(notify);
    }

    /// Runs the body up to its next suspension point.
    void run() {
        running = true;
        std::coroutine_handle<StreamPromise>::from_promise(*this).resume();
        running = false;
    }

    std::shared_ptr<StreamLink>& shared_link() {
        if (!link)
            link = std::make_shared<StreamLink>(
                StreamLink{std::coroutine_handle<StreamPromise>::from_promise(*this)});
        return link;
    }
};

/// `co_await d` in a stream. Holds no reference to an unfired `d`, so a producer that drops
/// it fails the await with DroppedDeferredError instead of leaving the stream waiting forever.
/// Takes the result out of the chain, as an outer chain would.
template <class U>
class StreamAwaiter {
public:
    explicit StreamAwaiter(Deferred<U> awaited) : awaited_(std::move(awaited)) {}

    bool await_ready() {
        interloop::detail::ChainState& s = awaited_.state();
        interloop::detail::run_callbacks(s);  // a fired chain finishes its queued steps first
        if (interloop::detail::result_ready(s)) {
            result_.steal(s.result);
            return true;
        }
        if (!s.called && s.refs == 1) {  // only we hold it: nobody can ever fire it
            result_.set_failure(std::make_exception_ptr(DroppedDeferredError()));
            return true;
        }
        return false;
    }

    void await_suspend(std::coroutine_handle<StreamPromise> h) {
        StreamPromise& promise = h.promise();
        interloop::detail::ChainState& s = awaited_.state();
        const bool fired = s.called;
        promise.awaiting = &s;
        promise.suspended = true;
        interloop::detail::add_step<Resume>(s, promise.shared_link(), this);
        // Keeping our handle on an unfired Deferred would hide a producer that drops it. (A
        // fired one may have resumed us already: then nothing here is touched again.)
        if (!fired) {
            Deferred<U> drop = std::move(awaited_);
        }
    }

    U await_resume() {
        if (result_.has_failure()) std::rethrow_exception(result_.take_failure());
        if (!result_.has_value())
            throw std::logic_error("co_await: the Deferred's result was taken by another waiter");
        if constexpr (std::is_void_v<U>)
            result_.reset();
        else
            return result_.template take<U>();
    }

private:
    /// The step queued on the awaited chain: hands its result to the awaiter and resumes the
    /// stream (which may be gone by then: the result is then dropped).
    struct Resume {
        std::shared_ptr<StreamLink> link;
        StreamAwaiter* awaiter;

        interloop::detail::ChainState* run(interloop::detail::ChainState& s) {
            if (!link->handle) {
                interloop::detail::ResultSlot dropped;
                dropped.steal(s.result);  // nobody waits for it: not an unhandled error
                return nullptr;
            }
            awaiter->result_.steal(s.result);
            wake();
            return nullptr;
        }
        void abandon() noexcept {  // the chain died unfired (or paused)
            if (!link->handle) return;
            awaiter->result_.set_failure(std::make_exception_ptr(DroppedDeferredError()));
            try {
                wake();
            } catch (...) {
                // Only the consumer's on_ready throws, and only on allocation failure.
            }
        }
        void wake() {
            StreamPromise& promise = link->handle.promise();
            promise.awaiting = nullptr;
            promise.resume_from_callback();
        }
    };

    Deferred<U> awaited_;
    interloop::detail::ResultSlot result_;
};

template <class U>
auto StreamPromise::await_transform(Deferred<U> awaited) {
    return StreamAwaiter<U>(std::move(awaited));
}

template <class T, class Executor>
auto StreamPromise::await_transform(boost::asio::awaitable<T, Executor> awaitable) {
    if (!context || !context->reactor || !context->executor)
        throw std::logic_error(
            "co_await of an asio::awaitable in a spider callback: the Crawler has no Asio "
            "executor (run it on an AsioReactor, or call Crawler::set_executor)");
    return StreamAwaiter<T>(
        as_deferred(*context->reactor, *context->executor, std::move(awaitable)));
}

}  // namespace interloop::spider::detail

namespace interloop::spider {

inline OutputStream::~OutputStream() {
    if (!handle_) return;
    // Destroying the frame runs the body's destructors, which may fire what it awaited: the
    // callback must find the stream gone already.
    detail::StreamPromise& promise = handle_.promise();
    if (promise.link) promise.link->handle = nullptr;
    promise.on_ready = {};
    handle_.destroy();
}

inline void OutputStream::bind(const StreamContext* context, UniqueFunction<void()> on_ready) {
    handle_.promise().context = context;
    handle_.promise().on_ready = std::move(on_ready);
}

inline OutputStream::Step OutputStream::advance() {
    detail::StreamPromise& promise = handle_.promise();
    if (promise.current) return Step::output;
    if (promise.finished) return Step::done;
    if (promise.suspended || promise.running) return Step::pending;  // on_ready follows
    promise.run();
    if (promise.current) return Step::output;
    if (promise.finished) return Step::done;
    return Step::pending;
}

inline Output OutputStream::take_output() {
    detail::StreamPromise& promise = handle_.promise();
    Output output = std::move(*promise.current);
    promise.current.reset();
    return output;
}

inline bool OutputStream::pending() const noexcept {
    return handle_.promise().suspended;
}
inline bool OutputStream::done() const noexcept {
    return handle_.promise().finished;
}
inline std::exception_ptr OutputStream::error() const noexcept {
    return handle_.promise().error;
}

inline void OutputStream::cancel() {
    if (auto cancel_awaited = prepare_cancel()) cancel_awaited();
}

inline UniqueFunction<void()> OutputStream::prepare_cancel() const {
    interloop::detail::ChainState* chain = handle_.promise().awaiting;
    if (!chain) return {};
    return [awaited = detail::ChainRef(chain)]() mutable { awaited.cancel(); };
}

}  // namespace interloop::spider
