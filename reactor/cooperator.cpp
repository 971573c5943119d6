#include "reactor/cooperator.hpp"

#include <algorithm>
#include <list>
#include <vector>

#include "reactor/log.hpp"
#include "reactor/outcome.hpp"

namespace interloop {
namespace detail {

/// How a task ended; `running` until then.
enum class TaskState { running, done, stopped, failed, scheduler_stopped };

/// The shared state of one cooperative task.
struct CoopTask : std::enable_shared_from_this<CoopTask> {
    explicit CoopTask(TaskFunction w) : work(std::move(w)) {}
    CoopTask(const CoopTask&) = delete;
    ~CoopTask();

    TaskFunction work;
    CoopCore* core = nullptr;  // null once finished
    std::list<std::shared_ptr<CoopTask>>::iterator registry_pos;
    TaskState state = TaskState::running;
    unsigned pauses = 0;
    std::optional<Failure> failure;  // why it ended, unless it is done
    bool failure_delivered = false;
    std::vector<Deferred<void>> waiters;  // when_done() Deferreds not fired yet

    void one_work_unit();
    void wait_for(Deferred<void>& d);
    void pause();
    void resume();
    void complete(TaskState how, std::optional<Failure> why);
    [[noreturn]] void throw_finished() const;
};

/// The shared state of a Cooperator: the rotation, the unfinished tasks, the tick.
class CoopCore : public std::enable_shared_from_this<CoopCore> {
public:
    CoopCore(ReactorTime& r, TerminationPredicateFactory f)
        : reactor_(r), should_yield_(std::move(f)) {}

    /// Registers a new task and puts it in the rotation.
    void adopt(const std::shared_ptr<CoopTask>& task) {
        registry_.push_back(task);
        task->registry_pos = std::prev(registry_.end());
        task->core = this;
        add(task);
    }
    /// Puts a runnable task at the end of the rotation.
    void add(const std::shared_ptr<CoopTask>& task) {
        active_.push_back(task);
        reschedule();
    }
    /// Takes a task out of the rotation (paused); the last one out drops the pending tick.
    void remove(CoopTask& task) {
        auto it = std::find_if(active_.begin(), active_.end(),
                               [&](const auto& t) { return t.get() == &task; });
        if (it == active_.end()) return;
        const auto index = static_cast<std::size_t>(it - active_.begin());
        active_.erase(it);
        if (index < cursor_) --cursor_;
        if (active_.empty()) tick_wanted_ = false;
    }
    /// Forgets a finished task.
    void forget(CoopTask& task) {
        remove(task);
        registry_.erase(task.registry_pos);
    }

    void stop() {
        stopped_ = true;
        tick_wanted_ = false;
        active_.clear();
        cursor_ = 0;
        while (!registry_.empty()) {
            std::shared_ptr<CoopTask> task = registry_.front();
            task->complete(TaskState::scheduler_stopped, Failure::from(SchedulerStopped()));
        }
    }
    bool stopped() const noexcept { return stopped_; }

private:
    void reschedule() {
        if (stopped_ || active_.empty()) return;
        tick_wanted_ = true;
        if (tick_queued_) return;  // a queued (maybe "cancelled") tick will do
        tick_queued_ = true;
        reactor_.call_soon([weak = weak_from_this()] {
            if (auto core = weak.lock()) core->tick();
        });
    }

    void tick() {
        tick_queued_ = false;
        if (!tick_wanted_) return;  // cancelled: the last task went away
        tick_wanted_ = false;
        try {
            TerminationPredicate enough = should_yield_();
            while (!active_.empty() && !stopped_) {
                if (cursor_ >= active_.size()) cursor_ = 0;
                std::shared_ptr<CoopTask> task = active_[cursor_++];
                task->one_work_unit();
                if (enough()) break;
            }
        } catch (...) {  // only the user's predicate can throw: keep the tasks going anyway
            reschedule();
            throw;
        }
        reschedule();
    }

    ReactorTime& reactor_;
    TerminationPredicateFactory should_yield_;
    std::vector<std::shared_ptr<CoopTask>> active_;  // the rotation
    std::size_t cursor_ = 0;                         // the next task of the rotation
    std::list<std::shared_ptr<CoopTask>> registry_;  // every unfinished task
    bool stopped_ = false;
    bool tick_wanted_ = false;  // a tick should run (false = the queued one is cancelled)
    bool tick_queued_ = false;  // a call_soon is queued
};

CoopTask::~CoopTask() {
    if (state != TaskState::failed || failure_delivered) return;
    try {
        log::emit(log::Level::critical, "interloop.task", "Unhandled error in CooperativeTask: {}",
                  failure->describe());
    } catch (...) {
        // Never throw from a destructor.
    }
}

void CoopTask::one_work_unit() {
    auto keep = shared_from_this();
    TaskFunction fn = std::move(work);  // guards against the task stopping itself
    std::optional<interloop::Step> step;
    try {
        step.emplace(fn());
    } catch (...) {
        complete(TaskState::failed, Failure());
        return;
    }
    if (state != TaskState::running) return;  // it stopped itself (or its Cooperator)
    work = std::move(fn);
    switch (step->kind()) {
        case interloop::Step::Kind::more:
            break;
        case interloop::Step::Kind::done:
            complete(TaskState::done, std::nullopt);
            break;
        case interloop::Step::Kind::wait:
            wait_for(step->deferred());
            break;
    }
}

void CoopTask::wait_for(Deferred<void>& d) {
    if (++pauses == 1 && core) core->remove(*this);
    auto self = shared_from_this();
    d.add_callbacks(
        [self]() -> Outcome<void> {
            // A user's unbalanced resume() may have undone this pause already (the count is
            // shared, as in Twisted); that must not fail the awaited Deferred's chain.
            if (self->pauses > 0) self->resume();
            return {};
        },
        [self](const Failure& f) -> Outcome<void> {
            if (self->state != TaskState::running) return f;  // stays unhandled
            self->complete(TaskState::failed, f);
            return {};
        });
}

void CoopTask::pause() {
    if (state != TaskState::running) throw_finished();
    if (++pauses == 1) core->remove(*this);
}

void CoopTask::resume() {
    if (pauses == 0) throw NotPaused();
    if (--pauses == 0 && state == TaskState::running) core->add(shared_from_this());
}

void CoopTask::complete(TaskState how, std::optional<Failure> why) {
    if (state != TaskState::running) return;
    auto keep = shared_from_this();
    state = how;
    failure = std::move(why);
    work = nullptr;  // release what the task captured
    if (CoopCore* c = std::exchange(core, nullptr)) c->forget(*this);
    // Fired last: a callback may act on the Cooperator, which must not see this task any more.
    std::vector<Deferred<void>> fire = std::move(waiters);
    for (Deferred<void>& d : fire) {
        if (!failure) {
            d.callback();
        } else {
            failure_delivered = true;
            d.errback(*failure);
        }
    }
}

void CoopTask::throw_finished() const {
    switch (state) {
        case TaskState::done:
            throw TaskDone();
        case TaskState::stopped:
            throw TaskStopped();
        case TaskState::failed:
            throw TaskFailed();
        case TaskState::scheduler_stopped:
            throw SchedulerStopped();
        case TaskState::running:
            break;
    }
    throw std::logic_error("CooperativeTask: the task is still running");
}

}  // namespace detail

TerminationPredicateFactory time_slice(std::chrono::steady_clock::duration slice) {
    return [slice] {
        const auto end = std::chrono::steady_clock::now() + slice;
        return TerminationPredicate([end] { return std::chrono::steady_clock::now() >= end; });
    };
}

TerminationPredicateFactory steps_per_tick(std::size_t steps) {
    if (steps == 0) throw std::invalid_argument("steps_per_tick: steps must be >= 1");
    return
        [steps] { return TerminationPredicate([left = steps]() mutable { return --left == 0; }); };
}

Deferred<void> CooperativeTask::when_done() const {
    detail::CoopTask& task = *task_;
    if (task.state == detail::TaskState::running) return task.waiters.emplace_back();
    if (!task.failure) return succeed();
    task.failure_delivered = true;
    return fail(*task.failure);
}

void CooperativeTask::pause() {
    task_->pause();
}

void CooperativeTask::resume() {
    task_->resume();
}

void CooperativeTask::stop() {
    if (task_->state != detail::TaskState::running) task_->throw_finished();
    task_->complete(detail::TaskState::stopped, Failure::from(TaskStopped()));
}

bool CooperativeTask::finished() const noexcept {
    return task_->state != detail::TaskState::running;
}

Cooperator::Cooperator(ReactorTime& reactor, TerminationPredicateFactory should_yield)
    : core_(std::make_shared<detail::CoopCore>(reactor, std::move(should_yield))) {}

Cooperator::Cooperator(Cooperator&&) noexcept = default;

Cooperator::~Cooperator() {
    if (core_) core_->stop();
}

CooperativeTask Cooperator::cooperate_task(TaskFunction work) {
    auto task = std::make_shared<detail::CoopTask>(std::move(work));
    if (core_->stopped())
        task->complete(detail::TaskState::scheduler_stopped, Failure::from(SchedulerStopped()));
    else
        core_->adopt(task);
    return CooperativeTask(std::move(task));
}

Deferred<void> Cooperator::coiterate_task(TaskFunction work) {
    CooperativeTask task = cooperate_task(std::move(work));
    auto cancelling = std::make_shared<bool>(false);
    Deferred<void> result([weak = std::weak_ptr<detail::CoopTask>(task.task_),
                           cancelling](Deferred<void>&) {
        auto t = weak.lock();
        if (!t || t->state != detail::TaskState::running) return;
        *cancelling = true;  // the TaskStopped below is ours: cancel() fails with CancelledError
        t->complete(detail::TaskState::stopped, Failure::from(TaskStopped()));
    });
    task.when_done().add_both([result, cancelling](Outcome<void> outcome) mutable {
        if (*cancelling) return;
        if (outcome.has_value())
            result.callback();
        else
            result.errback(outcome.failure());
    });
    return result;
}

void Cooperator::stop() {
    core_->stop();
}

bool Cooperator::running() const noexcept {
    return !core_->stopped();
}

}  // namespace interloop
