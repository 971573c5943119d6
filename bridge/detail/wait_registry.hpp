#pragma once
// WaitRegistry: the Asio service that knows which handlers wait on Deferreds, so that an
// io_context being destroyed can take them back before its executors die.

#include <boost/asio/execution_context.hpp>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace interloop::detail {

/// An operation holding a handler of some execution context.
class AbandonableOp {
public:
    virtual ~AbandonableOp() = default;
    /// The context is shutting down: destroy the handler without calling it.
    virtual void abandon() noexcept = 0;
};

/// One per execution context (io_context): Asio calls `shutdown()` when the context is
/// destroyed, before its services and executors go. Every operation still waiting on a
/// Deferred then destroys its handler (and with it the suspended coroutine), as Asio does
/// with its own pending operations; the Deferred's later result is simply dropped.
class WaitRegistry final : public boost::asio::execution_context::service {
public:
    using key_type = WaitRegistry;
    static inline boost::asio::execution_context::id id;

    explicit WaitRegistry(boost::asio::execution_context& context) : service(context) {}

    /// False if the context is already shutting down.
    bool add(const std::shared_ptr<AbandonableOp>& op) {
        std::lock_guard lock(mutex_);
        if (shut_down_) return false;
        ops_.emplace(op.get(), op);
        return true;
    }
    void remove(AbandonableOp* op) noexcept {
        std::lock_guard lock(mutex_);
        ops_.erase(op);
    }

private:
    void shutdown() override {
        std::unordered_map<AbandonableOp*, std::weak_ptr<AbandonableOp>> ops;
        {
            std::lock_guard lock(mutex_);
            shut_down_ = true;
            ops.swap(ops_);
        }
        for (auto& [raw, weak] : ops)
            if (auto op = weak.lock()) op->abandon();
    }

    std::mutex mutex_;
    bool shut_down_ = false;
    std::unordered_map<AbandonableOp*, std::weak_ptr<AbandonableOp>> ops_;
};

}  // namespace interloop::detail
