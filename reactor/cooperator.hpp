#pragma once
// Cooperator: many long jobs sharing one loop in small steps (Twisted's task.Cooperator).

#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"
#include "reactor/unique_function.hpp"

namespace interloop {

/// Base of the Cooperator's errors (Twisted's `task.SchedulerError`).
class SchedulerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The Cooperator was stopped: its unfinished tasks fail with this, and so do tasks given to
/// it afterwards (Twisted's `SchedulerStopped`).
class SchedulerStopped : public SchedulerError {
public:
    SchedulerStopped() : SchedulerError("the Cooperator was stopped") {}
};

/// Base of the errors an operation on a finished task throws (Twisted's `TaskFinished`).
class TaskFinished : public SchedulerError {
public:
    using SchedulerError::SchedulerError;
};

/// The task ran to its end (Twisted's `TaskDone`).
class TaskDone : public TaskFinished {
public:
    TaskDone() : TaskFinished("the task is done") {}
};

/// The task was stopped with `stop()`; its `when_done()` fails with this (Twisted's
/// `TaskStopped`).
class TaskStopped : public TaskFinished {
public:
    TaskStopped() : TaskFinished("the task was stopped") {}
};

/// The task failed; its `when_done()` fails with the task's own error (Twisted's
/// `TaskFailed`).
class TaskFailed : public TaskFinished {
public:
    TaskFailed() : TaskFinished("the task failed") {}
};

/// `resume()` without a matching `pause()` (Twisted's `NotPaused`).
class NotPaused : public SchedulerError {
public:
    NotPaused() : SchedulerError("the task is not paused") {}
};

/// What one unit of a cooperative task's work reports: the C++ form of one `next()` on the
/// iterator Twisted's Cooperator drives. A task is a callable `Step()`, called once per turn:
///
///   * `Step::more()` — it did some work and has more (the iterator yielded a value);
///   * `Step::done()` — it has finished (`StopIteration`);
///   * `Step::wait(d)` — it gets no turns until `d` fires (the iterator yielded a Deferred);
///     a failure of `d` fails the task;
///   * throwing an exception fails the task with it.
class Step {
public:
    enum class Kind { more, done, wait };

    static Step more() noexcept { return Step(Kind::more); }
    static Step done() noexcept { return Step(Kind::done); }
    static Step wait(Deferred<void> d) {
        Step step(Kind::wait);
        step.deferred_.emplace(std::move(d));
        return step;
    }
    /// Waits for a `Deferred<U>` whose value is not needed (the chain is re-typed to void).
    template <class U>
    requires(!std::is_void_v<U>) static Step wait(Deferred<U> d) {
        return wait(d.add_callback([](U&&) {}));
    }

    Kind kind() const noexcept { return kind_; }
    /// The Deferred of a `wait` step (only valid when `kind() == Kind::wait`).
    Deferred<void>& deferred() { return *deferred_; }

private:
    explicit Step(Kind kind) noexcept : kind_(kind) {}
    Kind kind_;
    std::optional<Deferred<void>> deferred_;
};

/// A cooperative task: called once per turn, returns what it did.
using TaskFunction = UniqueFunction<Step()>;
/// Asked after each step of a tick: true ends the tick (the rest waits for the next one).
using TerminationPredicate = UniqueFunction<bool()>;
/// Makes a fresh predicate at the start of every tick (Twisted's
/// `terminationPredicateFactory`).
using TerminationPredicateFactory = UniqueFunction<TerminationPredicate()>;

/// Ends each tick once `slice` of `std::chrono::steady_clock` time has passed since it began
/// (Twisted's default `_Timer`: 10 ms).
TerminationPredicateFactory time_slice(
    std::chrono::steady_clock::duration slice = std::chrono::milliseconds(10));
/// Ends each tick after `steps` steps (`steps` >= 1, else `std::invalid_argument`): a
/// deterministic predicate for tests and for bounding the work done per loop iteration.
TerminationPredicateFactory steps_per_tick(std::size_t steps);

namespace detail {
class CoopCore;
struct CoopTask;
}  // namespace detail

/// A task running on a Cooperator (Twisted's `CooperativeTask`). A handle: copies refer to
/// the same task, and the task keeps running when every handle is gone.
class CooperativeTask {
public:
    /// A new Deferred that fires when the task has finished, every call a new one (Twisted's
    /// `whenDone`): success when the task ran to its end, the task's own error when it failed
    /// (it threw, or a Deferred it waited on failed), `TaskStopped` after `stop()`,
    /// `SchedulerStopped` when its Cooperator was stopped. Already fired if it is finished.
    Deferred<void> when_done() const;
    /// Takes the task off the rotation until a matching `resume()`; counted, so N pauses need
    /// N resumes. Throws the `TaskFinished` error (or `SchedulerStopped`) matching how it
    /// finished if it has finished.
    void pause();
    /// Undoes one `pause()`. Throws `NotPaused` if it is not paused.
    void resume();
    /// Ends the task now: it gets no more turns and `when_done()` fails with `TaskStopped`.
    /// A Deferred it waits on is not cancelled (as in Twisted). Throws like `pause()` if it
    /// has finished.
    void stop();
    /// True once the task has finished, however it finished.
    bool finished() const noexcept;

private:
    friend class Cooperator;
    explicit CooperativeTask(std::shared_ptr<detail::CoopTask> task) : task_(std::move(task)) {}
    std::shared_ptr<detail::CoopTask> task_;
};

/// Runs cooperative tasks round-robin, a few steps per loop iteration, so long jobs share the
/// reactor with I/O (Twisted's `task.Cooperator`). Each *tick* runs one step of the next task
/// in the rotation, then of the next, and so on, until the termination predicate says stop;
/// the next tick is scheduled with `call_soon` while there are runnable tasks, and a tick
/// still queued when the last runnable task goes away does nothing and schedules no other.
///
/// Differences from Twisted: ticks use `call_soon` instead of `callLater(epsilon)` (a timer;
/// `ReactorTime::call_soon` cannot be cancelled, so the "cancelled" tick stays queued as a
/// no-op until the next iteration, and is reused if a task arrives before it runs); tasks
/// are callables returning `Step` instead of iterators; `when_done()`/`coiterate()` carry no
/// value (Twisted's fire with the iterator); `stop()` also fails tasks that are paused or
/// waiting on a Deferred at once (Twisted fails them when they resume); there is no
/// `started=False` mode. Destroying a Cooperator stops it. A task that failed while nobody
/// asked for `when_done()` has its error logged ("Unhandled error in CooperativeTask") when
/// the task goes away. Movable; a moved-from Cooperator may only be destroyed. Use it from
/// the reactor's thread.
///
/// On the manual `Clock`, `call_soon` is a zero-delay call and calls made during `advance`
/// run in that same `advance`: one `advance(0)` runs tick after tick until no task is
/// runnable (a task that always returns `Step::more()` never lets it return). Twisted's
/// Cooperator, on `callLater(epsilon)`, needs the Clock to move for each tick.
class Cooperator {
public:
    /// A Cooperator scheduling its ticks on `reactor`, ending each tick when a predicate made
    /// by `should_yield` says so (default: after 10 ms).
    explicit Cooperator(ReactorTime& reactor,
                        TerminationPredicateFactory should_yield = time_slice());
    Cooperator(Cooperator&&) noexcept;
    Cooperator& operator=(Cooperator&&) = delete;
    /// Stops the Cooperator (see `stop()`).
    ~Cooperator();

    /// Adds a task (Twisted's `cooperate(iterator)`); its first step runs on a later tick.
    /// On a stopped Cooperator the task is finished at once with `SchedulerStopped`.
    template <class F>
    requires std::is_invocable_r_v<Step, F&> CooperativeTask cooperate(F work) {
        return cooperate_task(TaskFunction(std::move(work)));
    }

    /// Adds a task and returns a Deferred that fires when it finishes, as its `when_done()`
    /// (Twisted's `coiterate`). Cancelling the Deferred stops the task and fails the
    /// Deferred with `CancelledError` (Twisted's has no canceller: the task would go on).
    template <class F>
    requires std::is_invocable_r_v<Step, F&> Deferred<void> coiterate(F work) {
        return coiterate_task(TaskFunction(std::move(work)));
    }

    /// Fails every unfinished task with `SchedulerStopped`, drops the pending tick, and makes
    /// every later task fail the same way (Twisted's `stop`). Calling it again does nothing.
    void stop();
    /// True until `stop()` (Twisted's `running`).
    bool running() const noexcept;

private:
    CooperativeTask cooperate_task(TaskFunction work);
    Deferred<void> coiterate_task(TaskFunction work);

    std::shared_ptr<detail::CoopCore> core_;
};

}  // namespace interloop
