#pragma once
// ReactorGate: a thread-safe handle on a reactor that may be destroyed while others hold it.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "reactor/unique_function.hpp"

namespace interloop {

class Reactor;

/// What another thread keeps instead of a `Reactor&`: `call(fn)` is the reactor's
/// `call_from_thread(fn)` while the reactor exists and returns false once it is gone (then
/// `fn` is destroyed on the calling thread, unrun). Close hooks let an adapter settle, on the
/// reactor's own thread, whatever it still has pending there when the reactor is destroyed.
class ReactorGate {
public:
    using HookId = std::uint64_t;

    explicit ReactorGate(Reactor& reactor) : reactor_(&reactor) {}
    ReactorGate(const ReactorGate&) = delete;
    ReactorGate& operator=(const ReactorGate&) = delete;

    /// Runs `fn` on the reactor's thread soon; false if the reactor was destroyed.
    bool call(UniqueFunction<void()> fn);
    /// True when called from the thread running the reactor (so no hop is needed).
    bool on_reactor_thread() const noexcept;
    /// The reactor; use only on its own thread.
    Reactor& reactor() const noexcept { return *reactor_; }

    /// Registers `hook` to run (on the reactor's thread) when the reactor is destroyed.
    /// Reactor thread only.
    HookId add_close_hook(UniqueFunction<void()> hook);
    void remove_close_hook(HookId id) noexcept;

    /// Called by the reactor as it is destroyed, before its backend goes away: runs the hooks
    /// and makes every later `call` fail.
    void close() noexcept;

private:
    mutable std::mutex mutex_;
    Reactor* reactor_;
    std::map<HookId, UniqueFunction<void()>> hooks_;
    HookId next_hook_ = 0;
};

}  // namespace interloop
