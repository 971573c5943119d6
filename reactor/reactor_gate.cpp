#include "reactor/reactor_gate.hpp"

#include <utility>

#include "reactor/reactor.hpp"

namespace interloop {

bool ReactorGate::call(UniqueFunction<void()> fn) {
    std::lock_guard lock(mutex_);
    if (!reactor_) return false;
    // Under the lock: close() waits for us, so the reactor cannot be torn down mid-call.
    reactor_->call_from_thread(std::move(fn));
    return true;
}

bool ReactorGate::on_reactor_thread() const noexcept {
    Reactor* current = Reactor::current();
    return current != nullptr && current == reactor_;
}

ReactorGate::HookId ReactorGate::add_close_hook(UniqueFunction<void()> hook) {
    std::lock_guard lock(mutex_);
    hooks_.emplace(++next_hook_, std::move(hook));
    return next_hook_;
}

void ReactorGate::remove_close_hook(HookId id) noexcept {
    std::lock_guard lock(mutex_);
    hooks_.erase(id);
}

void ReactorGate::close() noexcept {
    // Hooks may settle Deferreds whose callbacks add or remove hooks: take them one at a time.
    while (true) {
        UniqueFunction<void()> hook;
        {
            std::lock_guard lock(mutex_);
            if (hooks_.empty()) break;
            hook = std::move(hooks_.begin()->second);
            hooks_.erase(hooks_.begin());
        }
        try {
            hook();
        } catch (...) {
            // A hook only settles bookkeeping; an error here must not stop the others.
        }
    }
    std::lock_guard lock(mutex_);
    reactor_ = nullptr;
}

}  // namespace interloop
