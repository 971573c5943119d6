#pragma once
// The untyped heart of a Deferred: its shared state, its queue of steps, and the run loop.

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "reactor/detail/result_slot.hpp"
#include "reactor/unique_function.hpp"

namespace interloop::detail {

struct ChainState;

/// What a step does; one static table per step type.
struct StepOps {
    /// Applies the step to `chain.result`. Returns a Deferred (its state, owning one reference)
    /// that the chain must now wait on, or nullptr.
    ChainState* (*run)(void* self, ChainState& chain);
    /// Destroys the step's storage (nullptr when trivial).
    void (*destroy)(void* self) noexcept;
    /// Called before `destroy` when the chain dies with the step still queued: a step that
    /// someone waits on (a continuation, a coroutine resume) tells its waiter here.
    void (*abandon)(void* self) noexcept;
};

/// One entry of a callback chain: a (callback, errback) pair or an internal continuation.
struct alignas(std::max_align_t) Step {
    static constexpr std::size_t inline_bytes = 64 - sizeof(const StepOps*);

    const StepOps* ops;
    unsigned char storage[inline_bytes];

    template <class Impl>
    static constexpr bool stored_inline = sizeof(Impl) <= inline_bytes &&
                                          alignof(Impl) <= alignof(std::max_align_t);
};

/// A FIFO of steps in linked blocks: steps never move once queued (a running step may add
/// steps to its own chain), and the first two live inside the chain state itself.
class StepQueue {
public:
    StepQueue() noexcept;
    StepQueue(const StepQueue&) = delete;
    StepQueue& operator=(const StepQueue&) = delete;
    ~StepQueue();

    bool empty() const noexcept { return head_->begin == head_->end && head_ == tail_; }
    Step& front() noexcept { return slots(head_)[head_->begin]; }
    /// Space for one more step at the back; the caller constructs it.
    Step& push_back() {
        if (tail_->end < tail_->capacity) return slots(tail_)[tail_->end++];
        return push_back_in_new_block();
    }
    /// Gives back the slot of a `push_back` whose step could not be constructed.
    void discard_back() noexcept { --tail_->end; }
    /// Destroys the front step (after it ran).
    void pop_front() noexcept {
        Step& step = front();
        if (step.ops->destroy) step.ops->destroy(step.storage);
        if (++head_->begin < head_->end) return;
        front_block_done();
    }
    /// Removes the front step without running it, telling any waiter it was abandoned.
    void abandon_front() noexcept;

private:
    struct alignas(std::max_align_t) Block {
        Block* next;
        std::uint32_t capacity, begin, end;
        bool on_heap;
    };
    static Step* slots(Block* b) noexcept {
        return reinterpret_cast<Step*>(reinterpret_cast<unsigned char*>(b) + sizeof(Block));
    }
    Step& push_back_in_new_block();
    void front_block_done() noexcept;

    static constexpr std::uint32_t first_capacity = 2;
    Block* head_;
    Block* tail_;
    struct {
        Block header;
        Step steps[first_capacity];
    } first_;
};

/// The shared state behind every `Deferred<T>` handle on one chain.
struct ChainState {
    explicit ChainState(const std::type_info& head) noexcept : head_type(&head), tail_type(&head) {}

    std::uint32_t refs = 1;
    std::uint32_t paused = 0;
    bool called = false;
    bool running = false;
    bool suppress_already_called = false;
    /// The canceller decides the outcome itself (Deferred coroutines): `cancel()` must not
    /// errback after calling it.
    bool canceller_settles = false;
    const std::type_info* head_type;  // what callback()/errback() fire with
    const std::type_info* tail_type;  // what the next added callback receives
    ResultSlot result;
    StepQueue steps;
    ChainState* chained_to = nullptr;  // the Deferred this one waits on (not owned)
    UniqueFunction<void(ChainState&), 32> canceller;
};

ChainState* make_chain(const std::type_info& head);
inline void add_ref(ChainState* s) noexcept {
    ++s->refs;
}
/// Destroys a state whose last reference is gone (out of line: the rare path).
void release_last(ChainState* s) noexcept;
/// Drops a reference; the last one destroys the state (a never-fired chain with steps is
/// first failed with DroppedDeferredError so that no waiter hangs).
inline void release(ChainState* s) noexcept {
    if (--s->refs == 0) release_last(s);
}

/// Throws AlreadyCalledError, or returns false when one late fire after a canceller-less
/// cancel must be swallowed. On true the caller stores the result and calls `fired`.
bool begin_fire(ChainState& s);
void fired(ChainState& s);
void fail_with(ChainState& s, std::exception_ptr error);

/// Runs queued steps if the chain has fired and is neither paused nor already running.
void run_callbacks(ChainState& s);
void cancel(ChainState& s);
void pause(ChainState& s) noexcept;
void unpause(ChainState& s);

/// Throws std::logic_error if a handle of type `expected` is used on a chain whose tail is
/// now `actual` (the chain was re-typed by add_callback through another handle).
void check_type(const std::type_info& actual, const std::type_info& expected, const char* what);

/// True when `s` has a result that can be taken right now (fired, not paused, not waiting on
/// another Deferred, no steps pending).
inline bool result_ready(const ChainState& s) noexcept {
    return s.called && s.paused == 0 && s.chained_to == nullptr && !s.running && s.steps.empty();
}

template <class Impl>
concept AbandonableStep = requires(Impl& step) {
    step.abandon();
};

/// The static operations table of a step type, stored inline or (if too big) on the heap.
template <class Impl, bool Inline = Step::stored_inline<Impl>>
struct StepTable {
    static Impl& self(void* p) noexcept {
        if constexpr (Inline)
            return *static_cast<Impl*>(p);
        else
            return **static_cast<Impl**>(p);
    }
    static ChainState* run(void* p, ChainState& c) { return self(p).run(c); }
    static void destroy(void* p) noexcept {
        if constexpr (Inline)
            static_cast<Impl*>(p)->~Impl();
        else
            delete *static_cast<Impl**>(p);
    }
    static void abandon(void* p) noexcept {
        if constexpr (AbandonableStep<Impl>) self(p).abandon();
    }

    static constexpr StepOps ops{
        &run,
        Inline&& std::is_trivially_destructible_v<Impl> ? nullptr : &destroy,
        AbandonableStep<Impl> ? &abandon : nullptr,
    };
};

/// Queues a step of type `Impl` built from `args`, then runs it if the chain has fired.
/// `Impl` has `ChainState* run(ChainState&)` and optionally `void abandon() noexcept`.
template <class Impl, class... Args>
void add_step(ChainState& s, Args&&... args) {
    Step& step = s.steps.push_back();
    try {
        if constexpr (Step::stored_inline<Impl>)
            ::new (static_cast<void*>(step.storage)) Impl(std::forward<Args>(args)...);
        else
            ::new (static_cast<void*>(step.storage)) Impl*(new Impl(std::forward<Args>(args)...));
    } catch (...) {
        s.steps.discard_back();
        throw;
    }
    step.ops = &StepTable<Impl>::ops;
    if (s.called) run_callbacks(s);
}

}  // namespace interloop::detail
