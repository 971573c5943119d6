#include "reactor/detail/chain.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/errors.hpp"
#include "reactor/failure.hpp"
#include "reactor/log.hpp"

namespace interloop::detail {
namespace {

/// Queued on an inner Deferred when an outer chain waits on it (Twisted's `_CONTINUE`): the
/// run loop moves the inner result into the waiter and resumes the waiter without recursing.
struct Continuation {
    ChainState* waiter;  // owned reference

    explicit Continuation(ChainState* w) noexcept : waiter(w) { add_ref(w); }
    Continuation(const Continuation&) = delete;
    ~Continuation() {
        if (waiter) release(waiter);
    }
    ChainState* run(ChainState&) { return nullptr; }  // handled by the run loop itself
    void abandon() noexcept {
        ChainState& w = *waiter;
        w.chained_to = nullptr;
        w.result.set_failure(std::make_exception_ptr(DroppedDeferredError()));
        --w.paused;
        run_callbacks(w);
    }
};

constexpr const StepOps* continuation_ops = &StepTable<Continuation>::ops;

/// The explicit stack of chains being run: iteration instead of recursion keeps the C stack
/// flat however deep Deferreds are nested. Each entry owns a reference.
class ChainStack {
public:
    ~ChainStack() {
        while (size_ > 0) release(pop());
    }
    bool empty() const noexcept { return size_ == 0; }
    ChainState* back() const noexcept { return at(size_ - 1); }
    void push(ChainState* s) {
        if (size_ < inline_capacity)
            inline_[size_] = s;
        else
            more_.push_back(s);
        ++size_;
    }
    ChainState* pop() noexcept {
        ChainState* s = back();
        if (--size_ >= inline_capacity) more_.pop_back();
        return s;
    }

private:
    ChainState* at(std::size_t i) const noexcept {
        return i < inline_capacity ? inline_[i] : more_[i - inline_capacity];
    }
    static constexpr std::size_t inline_capacity = 16;
    ChainState* inline_[inline_capacity];
    std::vector<ChainState*> more_;
    std::size_t size_ = 0;
};

/// The chain `cur` got `inner` (one owned reference) from a callback. Takes its result now if
/// it has one (Twisted steals it), otherwise pauses `cur` until `inner` fires. Returns true if
/// `cur` is now waiting.
bool wait_on(ChainState& cur, ChainState* inner) {
    if (inner == &cur) {
        release(inner);
        cur.result.set_failure(std::make_exception_ptr(
            std::logic_error("a Deferred callback returned its own Deferred")));
        return false;
    }
    if (result_ready(*inner)) {
        cur.result.steal(inner->result);
        release(inner);
        return false;
    }
    if (!inner->called && inner->refs == 1) {
        // Only we hold it: nobody can ever fire it.
        release(inner);
        cur.result.set_failure(std::make_exception_ptr(DroppedDeferredError()));
        return false;
    }
    ++cur.paused;
    cur.chained_to = inner;
    add_step<Continuation>(*inner, &cur);
    release(inner);
    return true;
}

void log_unhandled(const std::exception_ptr& error,
                   std::string_view what = "Unhandled error in Deferred") noexcept {
    try {
        log::emit(log::Level::critical, "interloop.defer", "{}: {}", what,
                  Failure(error).describe());
    } catch (...) {
        // Logging must never turn a destructor into a crash.
    }
}

/// Recycles the memory of dead chain states on each thread: most Deferreds live briefly, and
/// malloc/free of a state costs more than running a few callbacks. Disabled under ASan so
/// that a use after free is still caught.
class StateCache {
public:
    ~StateCache() {
        while (count_ > 0) ::operator delete(slots_[--count_]);
    }
    void* get() { return count_ > 0 ? slots_[--count_] : ::operator new(sizeof(ChainState)); }
    void put(void* p) noexcept {
        if (count_ < capacity && !sanitized)
            slots_[count_++] = p;
        else
            ::operator delete(p);
    }

private:
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    static constexpr bool sanitized = true;
#else
    static constexpr bool sanitized = false;
#endif
    static constexpr std::size_t capacity = 256;
    void* slots_[capacity];
    std::size_t count_ = 0;
};

thread_local StateCache state_cache;

void destroy(ChainState* s) noexcept {
    if (s->result.has_failure()) log_unhandled(s->result.failure());
    while (!s->steps.empty()) s->steps.abandon_front();
    s->~ChainState();
    state_cache.put(s);
}

// States whose destruction was requested while another destruction is running: destroying
// one chain can release the next, and a recursion as deep as the chain would overflow the
// stack. `chained_to` is reused as the list link since a dead state waits on nothing.
thread_local ChainState* graveyard = nullptr;
thread_local bool burying = false;

}  // namespace

StepQueue::StepQueue() noexcept : head_(&first_.header), tail_(&first_.header) {
    first_.header = Block{nullptr, first_capacity, 0, 0, false};
}

StepQueue::~StepQueue() {
    while (!empty()) pop_front();
    for (Block* b = head_; b != nullptr;) {
        Block* next = b->next;
        if (b->on_heap) ::operator delete(b);
        b = next;
    }
}

Step& StepQueue::push_back_in_new_block() {
    std::uint32_t capacity = tail_->capacity < 64 ? tail_->capacity * 4 : 64;
    void* raw = ::operator new(sizeof(Block) + capacity * sizeof(Step));
    Block* block = ::new (raw) Block{nullptr, capacity, 0, 0, true};
    tail_->next = block;
    tail_ = block;
    return slots(tail_)[tail_->end++];
}

void StepQueue::front_block_done() noexcept {
    if (head_ == tail_) {
        head_->begin = head_->end = 0;  // empty: reuse the block from the start
        return;
    }
    Block* done = head_;
    head_ = head_->next;
    if (done->on_heap) ::operator delete(done);
}

void StepQueue::abandon_front() noexcept {
    Step& step = front();
    if (step.ops->abandon) step.ops->abandon(step.storage);
    pop_front();
}

ChainState* make_chain(const std::type_info& head) {
    return ::new (state_cache.get()) ChainState(head);
}

void release_last(ChainState* s) noexcept {
    if (!s->called && !s->steps.empty()) {
        s->refs = 1;  // revive it just long enough to tell its waiters
        fail_with(*s, std::make_exception_ptr(DroppedDeferredError()));
        if (--s->refs != 0) return;
    }
    if (burying) {
        s->chained_to = graveyard;
        graveyard = s;
        return;
    }
    burying = true;
    destroy(s);
    while (graveyard != nullptr) {
        ChainState* next = graveyard;
        graveyard = next->chained_to;
        destroy(next);
    }
    burying = false;
}

bool begin_fire(ChainState& s) {
    if (!s.called) return true;
    if (s.suppress_already_called) {
        s.suppress_already_called = false;
        return false;
    }
    throw AlreadyCalledError();
}

void fired(ChainState& s) {
    s.called = true;
    s.canceller = nullptr;
    run_callbacks(s);
}

void fail_with(ChainState& s, std::exception_ptr error) {
    if (!begin_fire(s)) return;
    s.result.set_failure(std::move(error));
    fired(s);
}

namespace {

/// Runs the front step of `cur` and removes it. Returns false if `cur` must now wait on a
/// Deferred the step returned.
inline bool run_front(ChainState& cur) {
    Step& step = cur.steps.front();
    cur.running = true;
    ChainState* inner = step.ops->run(step.storage, cur);
    cur.running = false;
    cur.steps.pop_front();
    return !(inner && wait_on(cur, inner));
}

/// Twisted's `_runCallbacks`: runs `self`, and every chain that was waiting on it, with an
/// explicit stack.
void run_chains(ChainState& self) {
    ChainStack chain;
    add_ref(&self);
    chain.push(&self);
    while (!chain.empty()) {
        ChainState* cur = chain.back();
        if (cur->paused) return;  // waits for unpause(); the stack releases what it holds
        bool finished = true;
        while (!cur->steps.empty()) {
            Step& step = cur->steps.front();
            if (step.ops == continuation_ops) {
                auto& next = *reinterpret_cast<Continuation*>(step.storage);
                ChainState* waiter = std::exchange(next.waiter, nullptr);
                cur->steps.pop_front();
                waiter->result.steal(cur->result);
                waiter->chained_to = nullptr;
                --waiter->paused;
                chain.push(waiter);  // takes over the continuation's reference
                finished = false;
                break;
            }
            if (!run_front(*cur)) break;
        }
        if (finished) release(chain.pop());
    }
}

}  // namespace

void run_callbacks(ChainState& self) {
    if (self.running || !self.called) return;
    // Most chains never hand their result to a waiting chain: run those without building
    // the stack that `run_chains` needs.
    add_ref(&self);
    while (self.paused == 0 && !self.steps.empty()) {
        if (self.steps.front().ops == continuation_ops) {
            run_chains(self);
            break;
        }
        if (!run_front(self)) break;
    }
    release(&self);
}

void cancel(ChainState& s) {
    if (s.called) {
        if (s.chained_to) cancel(*s.chained_to);
        return;
    }
    add_ref(&s);
    if (s.canceller) {
        auto canceller = std::move(s.canceller);
        s.canceller = nullptr;
        try {
            canceller(s);
        } catch (...) {
            if (!s.called)
                fail_with(s, std::current_exception());
            else  // it fired the Deferred, then threw: nowhere left to put the error
                log_unhandled(std::current_exception(), "Exception in Deferred canceller");
        }
        if (!s.called && s.canceller_settles) {
            s.canceller = std::move(canceller);  // a later cancel() may be needed again
        } else if (!s.called) {
            fail_with(s, std::make_exception_ptr(CancelledError()));
        }
    } else {
        s.suppress_already_called = true;
        fail_with(s, std::make_exception_ptr(CancelledError()));
    }
    release(&s);
}

void pause(ChainState& s) noexcept {
    ++s.paused;
}

void unpause(ChainState& s) {
    if (s.paused == 0) return;
    if (--s.paused == 0 && s.called) run_callbacks(s);
}

void check_type(const std::type_info& actual, const std::type_info& expected, const char* what) {
    if (actual == expected) return;
    throw std::logic_error(std::string(what) + ": this handle expects " + type_name_of(expected) +
                           " but the chain now carries " + type_name_of(actual) +
                           " (it was re-typed through another handle)");
}

}  // namespace interloop::detail
