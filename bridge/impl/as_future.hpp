#pragma once
// How async_wait / async_call turn a Deferred into an Asio asynchronous operation.

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "bridge/detail/wait_registry.hpp"
#include "reactor/reactor_gate.hpp"

namespace interloop::detail {

namespace asio = boost::asio;

/// The error a cancelled wait completes with on the Asio side.
inline std::exception_ptr operation_aborted_error() {
    return std::make_exception_ptr(
        boost::system::system_error(asio::error::operation_aborted, "as_future cancelled"));
}

/// Calls an Asio handler of `deferred_signature_t<T>` with a value or an exception.
template <class T, class Handler>
void complete_handler(Handler& handler, std::exception_ptr error, std::optional<Outcome<T>> out) {
    if constexpr (std::is_void_v<T>) {
        if (!error && !out->has_value()) error = out->failure().exception();
        std::move(handler)(error);
    } else {
        static_assert(std::is_default_constructible_v<T>,
                      "async_wait needs a default-constructible T (Asio passes one with an "
                      "exception); await a Deferred<std::optional<T>> instead");
        if (!error && !out->has_value()) error = out->failure().exception();
        if (error)
            std::move(handler)(error, T{});
        else
            std::move(handler)(nullptr, std::move(*out).value());
    }
}

/// One Asio operation waiting on one Deferred. Owned by the step queued on the Deferred (and
/// briefly by whoever starts it); the cancellation slot holds it weakly.
template <class T, class Handler>
class DeferredWaitOp final : public AbandonableOp,
                             public std::enable_shared_from_this<DeferredWaitOp<T, Handler>> {
    using Executor = asio::associated_executor_t<Handler>;
    using WorkGuard = asio::executor_work_guard<Executor>;

public:
    DeferredWaitOp(Handler handler, std::shared_ptr<ReactorGate> gate)
        : handler_(std::move(handler)),
          work_(asio::make_work_guard(*handler_)),
          gate_(std::move(gate)) {}

    DeferredWaitOp(const DeferredWaitOp&) = delete;

    /// Not completed by then: the reactor dropped the start of the wait (it was destroyed).
    ~DeferredWaitOp() {
        deliver(std::make_exception_ptr(LoopClosedError(
                    "the reactor was destroyed before the Deferred could be awaited")),
                std::nullopt);
    }

    /// On the handler's thread, from the initiation: registers with the handler's execution
    /// context (so its destruction can take the handler back) and connects cancellation.
    void register_with_context() {
        if constexpr (!std::is_same_v<Executor, asio::system_executor>) {
            auto& context = asio::query(work_->get_executor(), asio::execution::context);
            auto& registry = asio::use_service<WaitRegistry>(context);
            if (!registry.add(this->shared_from_this())) {
                deliver(std::make_exception_ptr(LoopClosedError()), std::nullopt);
                return;
            }
            std::lock_guard lock(mutex_);
            registry_ = &registry;
        }
        connect_cancellation();
    }

    void abandon() noexcept override {
        std::optional<Handler> handler;
        std::optional<WorkGuard> work;
        {
            std::lock_guard lock(mutex_);
            if (!handler_) return;
            handler.emplace(std::move(*handler_));
            handler_.reset();
            work.emplace(std::move(*work_));
            work_.reset();
            registry_ = nullptr;
        }
        // Destroyed here, unrun, on the thread shutting the context down.
    }

private:
    void connect_cancellation() {
        auto slot = asio::get_associated_cancellation_slot(*handler_);
        if (slot.is_connected()) slot.template emplace<CancelHandler>(this->weak_from_this());
    }

public:
    /// On the Deferred's thread: waits for `d` (its result is taken, never left unhandled).
    void attach(Deferred<T> d) {
        waiting_on_ = &d.state();
        add_step<WaitStep>(d.state(), this->shared_from_this());
    }

    /// On the reactor's thread: calls `fn` and waits for the Deferred it returns.
    template <class F>
    void start(F& fn) {
        try {
            attach(fn());
        } catch (...) {
            deliver(std::current_exception(), std::nullopt);
        }
    }

private:
    struct WaitStep {
        std::shared_ptr<DeferredWaitOp> op;

        ChainState* run(ChainState& s) noexcept {
            op->waiting_on_ = nullptr;
            if (s.result.has_failure()) {
                op->deliver(nullptr, Outcome<T>(Failure(s.result.take_failure())));
            } else if (!s.result.has_value()) {
                op->deliver(std::make_exception_ptr(std::logic_error(
                                "as_future: the Deferred's result was already taken")),
                            std::nullopt);
            } else if constexpr (std::is_void_v<T>) {
                s.result.reset();
                op->deliver(nullptr, Outcome<void>());
            } else {
                op->deliver(nullptr, Outcome<T>(s.result.take<T>()));
            }
            return nullptr;
        }
        void abandon() noexcept {
            op->waiting_on_ = nullptr;
            op->deliver(std::make_exception_ptr(DroppedDeferredError()), std::nullopt);
        }
    };

    struct CancelHandler {
        std::weak_ptr<DeferredWaitOp> op;
        void operator()(asio::cancellation_type_t type) {
            if ((type & asio::cancellation_type::all) == asio::cancellation_type::none) return;
            if (auto self = op.lock()) self->on_cancel();
        }
    };

    /// On the handler's thread: complete now with operation_aborted, and ask the Deferred's
    /// thread to cancel the Deferred (Twisted's asFuture: the future is cancelled at once).
    void on_cancel() {
        deliver(operation_aborted_error(), std::nullopt);
        if (!gate_ || gate_->on_reactor_thread()) {
            cancel_deferred();
        } else {
            gate_->call([weak = this->weak_from_this()] {
                if (auto self = weak.lock()) self->cancel_deferred();
            });
        }
    }

    void cancel_deferred() {
        if (waiting_on_) cancel(*waiting_on_);
    }

    /// Hands the completion to the handler's executor, once; later calls do nothing.
    void deliver(std::exception_ptr error, std::optional<Outcome<T>> out) noexcept {
        std::optional<Handler> handler;
        std::optional<WorkGuard> work;
        {
            std::lock_guard lock(mutex_);
            if (!handler_) return;
            // Handlers and work guards are move-constructible only (not assignable).
            handler.emplace(std::move(*handler_));
            handler_.reset();
            work.emplace(std::move(*work_));
            work_.reset();
            // Under our lock: the registry cannot finish shutting down (and be destroyed)
            // while it waits to abandon us.
            if (registry_) std::exchange(registry_, nullptr)->remove(this);
        }
        Executor ex = asio::get_associated_executor(*handler);
        auto completion = [h = std::move(*handler), w = std::move(*work), error,
                           out = std::move(out)]() mutable {
            asio::get_associated_cancellation_slot(h).clear();
            complete_handler<T>(h, error, std::move(out));
            w.reset();
        };
        try {
            if constexpr (std::is_same_v<Executor, asio::system_executor>) {
                // A plain callback: run it on the reactor's thread, like any Deferred callback.
                if (gate_)
                    gate_->call(std::move(completion));
                else
                    asio::post(asio::system_executor(), std::move(completion));
            } else {
                asio::post(ex, std::move(completion));
            }
        } catch (...) {
            // Only allocation can fail here; the handler is then destroyed unrun.
        }
    }

    std::mutex mutex_;  // guards handler_/work_/registry_: delivery races cancel and shutdown
    WaitRegistry* registry_ = nullptr;
    std::optional<Handler> handler_;
    std::optional<WorkGuard> work_;
    std::shared_ptr<ReactorGate> gate_;
    ChainState* waiting_on_ = nullptr;  // Deferred's thread only; valid while our step waits
};

template <class T, class Handler>
auto make_wait_op(Handler&& handler, std::shared_ptr<ReactorGate> gate) {
    return std::make_shared<DeferredWaitOp<T, std::decay_t<Handler>>>(
        std::forward<Handler>(handler), std::move(gate));
}

inline std::shared_ptr<ReactorGate> current_gate() {
    Reactor* reactor = Reactor::current();
    return reactor ? reactor->gate() : nullptr;
}

}  // namespace interloop::detail

namespace interloop {

template <class T, class CompletionToken>
auto async_wait(Deferred<T> d, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, deferred_signature_t<T>>(
        [](auto handler, Deferred<T> deferred) {
            auto op = detail::make_wait_op<T>(std::move(handler), detail::current_gate());
            op->register_with_context();
            op->attach(std::move(deferred));
        },
        token, std::move(d));
}

template <class F, class CompletionToken>
auto async_call(Reactor& reactor, F fn, CompletionToken&& token) {
    using D = std::invoke_result_t<F&>;
    static_assert(IsDeferred<D>, "async_call: fn must return a Deferred");
    using T = typename D::value_type;
    return boost::asio::async_initiate<CompletionToken, deferred_signature_t<T>>(
        [](auto handler, std::shared_ptr<ReactorGate> gate, F f) {
            auto op = detail::make_wait_op<T>(std::move(handler), gate);
            op->register_with_context();
            if (gate->on_reactor_thread()) {
                op->start(f);
            } else {
                // If the reactor is gone the call is dropped, and `op`'s destructor completes
                // the operation with LoopClosedError.
                gate->call([op, f = std::move(f)]() mutable { op->start(f); });
            }
        },
        token, reactor.gate(), std::move(fn));
}

}  // namespace interloop
