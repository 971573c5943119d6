#pragma once
// How as_deferred spawns the coroutine and fires the Deferred on the reactor's thread.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>

#include "reactor/reactor_gate.hpp"

namespace interloop::detail {

namespace asio = boost::asio;

/// True if `error` is a `system_error` carrying `operation_aborted`.
inline bool is_operation_aborted(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        return e.code() == asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

/// What both sides of one as_deferred share. `deferred` is touched only on the reactor's
/// thread; `value` is written by the coroutine and read on the reactor's thread after the
/// hop (the reactor's call queue orders the two).
template <class T, class Executor>
struct SpawnState {
    SpawnState(std::shared_ptr<ReactorGate> g, Executor ex)
        : gate(std::move(g)), executor(std::move(ex)) {}

    std::shared_ptr<ReactorGate> gate;
    Executor executor;
    Deferred<T> deferred;  // the producer's handle, released once settled
    bool settled = false;
    ReactorGate::HookId close_hook = 0;
    asio::cancellation_signal signal;  // emitted only on `executor`
    std::atomic<bool> cancel_requested{false};
    std::atomic<bool> coroutine_done{false};  // set on the Asio side when it ended
    std::optional<stored_t<T>> value;

    /// Reactor thread: asks the coroutine to stop (from the Deferred's canceller).
    static void request_cancel(const std::shared_ptr<SpawnState>& self) {
        self->cancel_requested = true;
        // Once the coroutine is gone its executor may be gone too (a destroyed io_context).
        if (self->coroutine_done) return;
        asio::dispatch(self->executor,
                       [self] { self->signal.emit(asio::cancellation_type::terminal); });
    }

    /// Reactor thread: fires the Deferred once with how the coroutine ended.
    void settle(std::exception_ptr error) {
        if (settled) return;
        settled = true;
        gate->remove_close_hook(close_hook);
        Deferred<T> d = std::move(deferred);
        if (!error) {
            if constexpr (std::is_void_v<T>)
                d.callback();
            else
                d.callback(std::move(*value));
        } else if (cancel_requested && is_operation_aborted(error)) {
            d.errback(std::make_exception_ptr(CancelledError()));
        } else {
            d.errback(error);
        }
    }
};

/// The coroutine actually spawned: stores the result so that `T` need not be
/// default-constructible (co_spawn's own completion would need a `T()` on failure).
template <class T, class State>
asio::awaitable<void> run_and_store(std::shared_ptr<State> state, asio::awaitable<T> aw) {
    if (state->cancel_requested)
        throw boost::system::system_error(asio::error::operation_aborted, "cancelled before start");
    if constexpr (std::is_void_v<T>) {
        co_await std::move(aw);
        state->value.emplace();
    } else {
        state->value.emplace(co_await std::move(aw));
    }
}

/// co_spawn's completion handler: hops to the reactor's thread and settles there. Destroyed
/// without being called (the io_context was shut down with the coroutine unfinished), it
/// settles with LoopClosedError instead.
template <class State>
class SpawnDone {
public:
    explicit SpawnDone(std::shared_ptr<State> s) : state_(std::move(s)) {}
    SpawnDone(SpawnDone&&) noexcept = default;
    SpawnDone& operator=(SpawnDone&&) noexcept = default;
    ~SpawnDone() {
        if (state_)
            finish(std::move(state_), std::make_exception_ptr(LoopClosedError(
                                          "the io_context was shut down before the coroutine "
                                          "finished")));
    }

    void operator()(std::exception_ptr error) { finish(std::move(state_), error); }

private:
    static void finish(std::shared_ptr<State> state, std::exception_ptr error) noexcept {
        state->coroutine_done = true;
        try {
            auto gate = state->gate;
            if (gate->on_reactor_thread())
                state->settle(error);
            else
                gate->call([state = std::move(state), error] { state->settle(error); });
        } catch (...) {
            // Only allocation can fail; the Deferred then fails when the reactor closes.
        }
    }

    std::shared_ptr<State> state_;
};

}  // namespace interloop::detail

namespace interloop {

template <class Executor, class T>
Deferred<T> as_deferred(Reactor& reactor, Executor executor, boost::asio::awaitable<T> aw) {
    using State = detail::SpawnState<T, Executor>;
    auto state = std::make_shared<State>(reactor.gate(), executor);
    Deferred<T> result = state->deferred;
    detail::ChainState& chain = result.state();
    chain.canceller_settles = true;  // settles when the coroutine ends, not at cancel()
    chain.canceller = [weak = std::weak_ptr<State>(state)](detail::ChainState&) {
        if (auto s = weak.lock()) State::request_cancel(s);
    };
    state->close_hook = state->gate->add_close_hook([weak = std::weak_ptr<State>(state)] {
        auto s = weak.lock();
        if (!s || s->settled) return;
        State::request_cancel(s);
        s->settle(std::make_exception_ptr(
            LoopClosedError("the reactor was destroyed before the coroutine finished")));
    });
    boost::asio::co_spawn(
        executor, detail::run_and_store<T>(state, std::move(aw)),
        boost::asio::bind_cancellation_slot(state->signal.slot(), detail::SpawnDone<State>(state)));
    return result;
}

template <class Executor, class T>
Deferred<T> as_deferred(Executor executor, boost::asio::awaitable<T> aw) {
    Reactor* reactor = Reactor::current();
    if (!reactor) throw std::logic_error("as_deferred: no reactor is running on this thread");
    return as_deferred(*reactor, std::move(executor), std::move(aw));
}

}  // namespace interloop
