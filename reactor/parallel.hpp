#pragma once
// parallel: run a function over a range with at most n calls outstanding (Scrapy's parallel).

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <utility>

#include "reactor/cooperator.hpp"
#include "reactor/deferred.hpp"
#include "reactor/detail/completion.hpp"
#include "reactor/log.hpp"
#include "reactor/outcome.hpp"

namespace interloop {
namespace detail {

/// One shared walk over the range, advanced by the `n` worker tasks.
template <class View, class F>
struct ParallelState : std::enable_shared_from_this<ParallelState<View, F>> {
    ParallelState(View v, F fn, std::size_t workers)
        : view(std::move(v)), f(std::move(fn)), it(std::ranges::begin(view)), running(workers) {}

    View view;
    F f;
    std::ranges::iterator_t<View> it;
    std::size_t running;  // workers not finished yet
    std::optional<Failure> first_failure;
    bool cancelled = false;
    Deferred<void> result;

    /// One turn of a worker: start `f` on the next element and wait for it.
    interloop::Step next() {
        if (cancelled || it == std::ranges::end(view)) return interloop::Step::done();
        std::optional<Deferred<void>> later;
        try {
            later = call_for_completion(f, *it);
        } catch (...) {
            record(Failure());
        }
        ++it;
        if (!later) return interloop::Step::more();
        // The worker waits for this call only; its failure is recorded, not the worker's.
        return interloop::Step::wait(
            later->add_both([self = this->shared_from_this()](Outcome<void> o) {
                if (!o.has_value()) self->record(o.failure());
            }));
    }

    /// Keeps the first failure for the result; logs the failures of calls nobody will see.
    void record(const Failure& failure, bool of_worker = false) {
        if (!first_failure && !result.called()) {
            first_failure = failure;
        } else if (!of_worker) {  // workers only fail all together (SchedulerStopped)
            log::emit(log::Level::error, "interloop.task", "Unhandled error in parallel: {}",
                      failure.describe());
        }
    }

    void worker_finished(const Outcome<void>& outcome) {
        if (!outcome.has_value()) record(outcome.failure(), true);
        if (--running > 0 || result.called()) return;
        Deferred<void> d = result;
        if (first_failure)
            d.errback(*first_failure);
        else
            d.callback();
    }
};

}  // namespace detail

/// Calls `f(element)` for every element of `range`, with at most `n` calls outstanding at
/// once (Scrapy's `parallel(iterable, count, callable)`: `n` tasks of `cooperator` sharing
/// one iteration of the range). `f` may return `void` (finished at once), a `Deferred<U>`
/// (outstanding until it fires), a value or an `Outcome<U>`; values are ignored. Calls start
/// in the range's order, each element exactly once; the range is iterated once, lazily, on
/// the Cooperator's ticks, and `f` receives `*it` before the iterator is advanced. An lvalue
/// range is used by reference and must outlive the work; an rvalue range is moved in.
///
/// Returns a Deferred that fires when the range is exhausted and every call has finished.
/// A failing call (exception or failed Deferred) does not stop the others: the Deferred
/// fails at the end with the first failure; later failures are logged ("Unhandled error in
/// parallel") on "interloop.task". If the Cooperator is stopped, the Deferred fails with
/// `SchedulerStopped` (unless an earlier failure came first). Cancelling it starts no more
/// calls and fails it with `CancelledError` at once; calls already outstanding are not
/// cancelled. Throws `std::invalid_argument` if `n` is 0.
///
/// Differences from Scrapy: Scrapy's version makes its own Cooperator, its Deferred is a
/// DeferredList that succeeds even when calls failed, and a failing call ends its worker
/// (fewer calls in flight from then on); here the worker carries on.
template <std::ranges::input_range R, class F>
requires std::invocable<F&, std::ranges::range_reference_t<R>> Deferred<void> parallel(
    Cooperator& cooperator, std::size_t n, R&& range, F f) {
    if (n == 0) throw std::invalid_argument("parallel: n must be >= 1");
    using View = std::views::all_t<R>;
    using State = detail::ParallelState<View, F>;
    auto state = std::make_shared<State>(std::views::all(std::forward<R>(range)), std::move(f), n);
    Deferred<void> result([weak = std::weak_ptr<State>(state)](Deferred<void>&) {
        if (auto s = weak.lock()) s->cancelled = true;
    });
    state->result = result;
    for (std::size_t i = 0; i < n; ++i) {
        CooperativeTask worker = cooperator.cooperate([state] { return state->next(); });
        worker.when_done().add_both(
            [state](const Outcome<void>& outcome) { state->worker_finished(outcome); });
    }
    return result;
}

}  // namespace interloop
