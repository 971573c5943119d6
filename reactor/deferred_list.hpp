#pragma once
// Waiting on several Deferreds at once: deferred_list, first_success, gather_results and race
// (Twisted's DeferredList, DeferredList(fireOnOneCallback=True), gatherResults and race).
//
// Where C++ typing forced a choice (Twisted's results are untyped tuples):
//
// * `deferred_list` always yields `std::vector<Outcome<T>>`, in input order whatever the
//   completion order (Twisted's list of `(success, value_or_failure)` pairs). Its result type
//   cannot change with a flag, so Twisted's `fireOnOneCallback=True`, which yields
//   `(value, index)` instead, is the separate function `first_success`, with `Indexed<T>`.
// * The members' values are TAKEN: a member's value is moved into the result, as `co_await`
//   does, so no value is ever copied. In Twisted the member keeps its value (Python shares
//   the object); here a callback added to a member after it was given to one of these
//   functions sees the logic_error "result was already taken". Pass each Deferred once.
//   `Deferred<void>` members carry nothing to take and keep their success, as in Twisted.
// * Failures are shared (a `Failure` is a cheap handle on one exception): without
//   `consume_errors` the member keeps its failure too, so it is still reported as
//   "Unhandled error in Deferred" when the member's last handle goes unless something else
//   handles it (as Twisted does at garbage collection). With `consume_errors` the failure is
//   taken out of the member (Twisted replaces it with None): nothing is reported, and a
//   `Deferred<void>` member is left with a success, other members with no result.
// * `first_success` fails with `FailureGroup` (failures in input order) when every member
//   failed; Twisted's fireOnOneCallback list fires its result list instead. `first_success`
//   and `race` on an empty vector fail at once with an empty FailureGroup ("all of none
//   succeeded"); in Twisted they never fire, which here would only mean a Deferred nobody
//   can ever fire.
// * Cancelling the returned Deferred cancels every member not yet finished; an exception
//   escaping a member's cancel() is logged, not raised, and the others are still cancelled
//   (Deferred::cancel already turns a canceller's exception into that member's failure,
//   so this is a safeguard). Members usually settle at once, so the
//   result is what they produced (for `race`, a FailureGroup of CancelledErrors, exactly as
//   in Twisted). Twisted's DeferredList then waits for members that ignore the cancel; here,
//   as for any Deferred with a canceller, the result fails with CancelledError at once and
//   those members' later results are ignored.
// * A member dropped unfired by its producer fails with DroppedDeferredError (as any dropped
//   Deferred with callbacks), and the list records that; without `consume_errors` the
//   member reports it as unhandled too. A member destroyed while paused with its result
//   counts as failed with DroppedDeferredError.

#include <cstddef>
#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/errors.hpp"
#include "reactor/log.hpp"

namespace interloop {

/// A member's value tagged with its position in the input vector (Twisted's `(value, index)`
/// from fireOnOneCallback and `(index, value)` from `race`).
template <class T>
struct Indexed {
    std::size_t index;
    T value;
};
/// The winner's position, for `Deferred<void>` members.
template <>
struct Indexed<void> {
    std::size_t index;
};

/// The flags of `deferred_list` (Twisted's DeferredList keyword arguments, except
/// fireOnOneCallback: see `first_success`).
struct DeferredListOptions {
    /// Fail with `FirstError{failure, index}` at the first member failure
    /// (Twisted's fireOnOneErrback).
    bool fire_on_one_errback = false;
    /// Take member failures out of the member chains once recorded, so that they are never
    /// reported as unhandled (Twisted's consumeErrors).
    bool consume_errors = false;
};

namespace detail {

/// Logs the exception being handled (call it from a catch block) with what was being done.
inline void log_gather_error(const char* doing) noexcept {
    try {
        log::emit(log::Level::error, "interloop.defer", "Exception raised while {}: {}", doing,
                  Failure().describe());
    } catch (...) {
        // Logging must never turn a cancel into a crash.
    }
}

/// What deferred_list, first_success and race share: which members are still pending and
/// what to do with each member's outcome. Kept alive by the steps queued on the members.
template <class T>
struct Gathering {
    Gathering(std::size_t count, bool consume) : members(count, nullptr), consume_errors(consume) {}
    Gathering(const Gathering&) = delete;
    Gathering& operator=(const Gathering&) = delete;
    virtual ~Gathering() = default;

    /// Receives each member's outcome exactly once.
    virtual void arrive(std::size_t index, Outcome<T> outcome) = 0;

    /// Cancels every member still pending except `skip`, logging what their cancel throws.
    void cancel_members(std::size_t skip = static_cast<std::size_t>(-1)) noexcept {
        for (std::size_t i = 0; i < members.size(); ++i) {
            ChainState* member = members[i];
            // refs == 0: already being destroyed; its step will report DroppedDeferredError.
            if (i == skip || member == nullptr || member->refs == 0) continue;
            add_ref(member);
            try {
                cancel(*member);
            } catch (...) {
                log_gather_error("cancelling a member of a Deferred list");
            }
            release(member);
        }
    }

    /// A member's chain while our step is queued on it (not owned: the step keeps it valid).
    std::vector<ChainState*> members;
    bool consume_errors;
};

/// The step queued at the end of each member: hands the member's outcome to the gathering.
template <class T>
struct GatherStep {
    std::shared_ptr<Gathering<T>> gathering;
    std::size_t index;

    GatherStep(std::shared_ptr<Gathering<T>> g, std::size_t i) noexcept
        : gathering(std::move(g)), index(i) {}
    GatherStep(const GatherStep&) = delete;
    GatherStep& operator=(const GatherStep&) = delete;
    ~GatherStep() { gathering->members[index] = nullptr; }

    ChainState* run(ChainState& s) noexcept {
        gathering->members[index] = nullptr;
        try {
            gathering->arrive(index, take(s));
        } catch (...) {
            s.result.set_failure(std::current_exception());  // the member chain sees it
        }
        return nullptr;
    }

    void abandon() noexcept {
        gathering->members[index] = nullptr;
        try {
            gathering->arrive(index, Failure(std::make_exception_ptr(DroppedDeferredError())));
        } catch (...) {
            log_gather_error("reporting a dropped member of a Deferred list");
        }
    }

    Outcome<T> take(ChainState& s) {
        if (s.result.has_failure()) {
            if (!gathering->consume_errors) return Failure(s.result.failure());
            Failure failure(s.result.take_failure());
            if constexpr (std::is_void_v<T>) s.result.template emplace<Unit>();
            return failure;
        }
        if (!s.result.has_value())
            return Failure(std::make_exception_ptr(std::logic_error(
                "Deferred result was already taken before it reached the Deferred list")));
        if constexpr (std::is_void_v<T>)
            return Outcome<void>();
        else
            return Outcome<T>(s.result.template take<T>());
    }
};

/// Queues a GatherStep on every member (all type-checked first). Every member is listed as
/// pending before the first step runs, so that a result arriving during the attach (an
/// already-fired member) can cancel members not attached yet, as Twisted's `race` does.
template <class T>
void gather(const std::shared_ptr<Gathering<T>>& g, const std::vector<Deferred<T>>& ds,
            const char* what) {
    for (const Deferred<T>& d : ds) check_type(*d.state().tail_type, typeid(stored_t<T>), what);
    for (std::size_t i = 0; i < ds.size(); ++i) g->members[i] = &ds[i].state();
    std::size_t attached = 0;
    try {
        for (; attached < ds.size(); ++attached)
            add_step<GatherStep<T>>(ds[attached].state(), g, attached);
    } catch (...) {
        for (std::size_t i = attached; i < ds.size(); ++i) g->members[i] = nullptr;
        throw;
    }
}

/// Fires `d` unless something else already did (a cancel that nobody settled).
template <class R, class... V>
void fire_once(Deferred<R>& d, V&&... value) {
    if (!d.called()) d.callback(std::forward<V>(value)...);
}
template <class R>
void fail_once(Deferred<R>& d, Failure failure) {
    if (!d.called()) d.errback(std::move(failure));
}

/// deferred_list's bookkeeping: one outcome slot per member.
template <class T>
struct ListGathering final : Gathering<T> {
    using Result = std::vector<Outcome<T>>;

    ListGathering(std::size_t count, DeferredListOptions options)
        : Gathering<T>(count, options.consume_errors),
          outcomes(count),
          fire_on_one_errback(options.fire_on_one_errback) {}

    void arrive(std::size_t index, Outcome<T> outcome) override {
        ++finished;
        if (!result || result->called()) {  // fired already: later results are ignored
            result.reset();
            return;
        }
        if (!outcome.has_value() && fire_on_one_errback) {
            Deferred<Result> out = std::move(*result);
            result.reset();
            fail_once(out, Failure::from(FirstError(outcome.failure(), index)));
            return;
        }
        outcomes[index].emplace(std::move(outcome));
        if (finished == outcomes.size()) {
            Result values;
            values.reserve(outcomes.size());
            for (auto& o : outcomes) values.push_back(std::move(*o));
            outcomes.clear();
            Deferred<Result> out = std::move(*result);
            result.reset();
            fire_once(out, std::move(values));
        }
    }

    std::optional<Deferred<Result>> result;  // dropped once fired
    std::vector<std::optional<Outcome<T>>> outcomes;
    std::size_t finished = 0;
    bool fire_on_one_errback;
};

/// first_success's and race's bookkeeping: the first success wins.
template <class T>
struct FirstGathering final : Gathering<T> {
    FirstGathering(std::size_t count, bool consume, bool cancel_others)
        : Gathering<T>(count, consume), failures(count), cancel_losers(cancel_others) {}

    void arrive(std::size_t index, Outcome<T> outcome) override {
        if (!result || result->called()) {
            result.reset();
            return;
        }
        if (outcome.has_value()) {
            Deferred<Indexed<T>> out = std::move(*result);
            result.reset();
            if (cancel_losers) this->cancel_members(index);
            if constexpr (std::is_void_v<T>)
                fire_once(out, Indexed<void>{index});
            else
                fire_once(out, Indexed<T>{index, std::move(outcome).value()});
            return;
        }
        failures[index].emplace(outcome.failure());
        if (++failed == failures.size()) {
            std::vector<Failure> all;
            all.reserve(failures.size());
            for (auto& f : failures) all.push_back(std::move(*f));
            Deferred<Indexed<T>> out = std::move(*result);
            result.reset();
            fail_once(out, Failure::from(FailureGroup(std::move(all))));
        }
    }

    std::optional<Deferred<Indexed<T>>> result;
    std::vector<std::optional<Failure>> failures;
    std::size_t failed = 0;
    bool cancel_losers;
};

/// Builds the result Deferred of a gathering `G`: its canceller cancels the pending members.
template <class R, class G>
Deferred<R> gathered_result(const std::shared_ptr<G>& g) {
    Deferred<R> result([weak = std::weak_ptr<G>(g)](Deferred<R>&) {
        if (auto alive = weak.lock()) alive->cancel_members();
    });
    g->result.emplace(result);
    return result;
}

template <class T>
Deferred<Indexed<T>> first_of(std::vector<Deferred<T>> ds, bool consume, bool cancel_losers,
                              const char* what) {
    if (ds.empty()) return fail<Indexed<T>>(Failure::from(FailureGroup({})));
    auto g = std::make_shared<FirstGathering<T>>(ds.size(), consume, cancel_losers);
    Deferred<Indexed<T>> result = gathered_result<Indexed<T>>(g);
    gather<T>(g, ds, what);
    return result;
}

}  // namespace detail

/// Waits for every Deferred of `ds` and fires with their outcomes, in input order (Twisted's
/// `DeferredList`); an empty `ds` fires at once with an empty vector. With
/// `fire_on_one_errback` it fails with `FirstError` at the first member failure instead.
/// Member values are moved into the result; see the top of this header for what is left
/// in the members, for `consume_errors`, and for cancellation.
template <class T>
Deferred<std::vector<Outcome<T>>> deferred_list(std::vector<Deferred<T>> ds,
                                                DeferredListOptions options = {}) {
    using Result = std::vector<Outcome<T>>;
    if (ds.empty()) return succeed(Result());
    auto g = std::make_shared<detail::ListGathering<T>>(ds.size(), options);
    Deferred<Result> result = detail::gathered_result<Result>(g);
    detail::gather<T>(g, ds, "deferred_list");
    return result;
}
template <class T>
Deferred<std::vector<Outcome<T>>> deferred_list(std::initializer_list<Deferred<T>> ds,
                                                DeferredListOptions options = {}) {
    return deferred_list(std::vector<Deferred<T>>(ds), options);
}

/// Fires with the first success and its index (Twisted's `DeferredList(fireOnOneCallback=
/// True)`); the other members are left running. Fails with `FailureGroup` (input order) if
/// every member fails, and at once for an empty `ds`. `consume_errors` as for deferred_list.
template <class T>
Deferred<Indexed<T>> first_success(std::vector<Deferred<T>> ds, bool consume_errors = false) {
    return detail::first_of(std::move(ds), consume_errors, false, "first_success");
}
template <class T>
Deferred<Indexed<T>> first_success(std::initializer_list<Deferred<T>> ds,
                                   bool consume_errors = false) {
    return first_success(std::vector<Deferred<T>>(ds), consume_errors);
}

/// Like `first_success`, but the winner's success cancels every other member (the winner is
/// not cancelled), and member failures are always consumed, so results that arrive after
/// the race was decided go nowhere and are never reported (Twisted's `race`). Cancelling
/// the race cancels every member; it then fails with a FailureGroup of their failures.
template <class T>
Deferred<Indexed<T>> race(std::vector<Deferred<T>> ds) {
    return detail::first_of(std::move(ds), true, true, "race");
}
template <class T>
Deferred<Indexed<T>> race(std::initializer_list<Deferred<T>> ds) {
    return race(std::vector<Deferred<T>>(ds));
}

/// The values of all of `ds`, in input order, or a `FirstError` with the first failure
/// (Twisted's `gatherResults`); `Deferred<void>` when `T` is void. It is
/// `deferred_list(ds, {.fire_on_one_errback = true, .consume_errors = consume_errors})`
/// with the outcomes unwrapped, so the same rules apply to members and cancellation.
template <class T>
auto gather_results(std::vector<Deferred<T>> ds, bool consume_errors = false) {
    return deferred_list(std::move(ds),
                         {.fire_on_one_errback = true, .consume_errors = consume_errors})
        .add_callback([](std::vector<Outcome<T>> outcomes) {
            if constexpr (std::is_void_v<T>) {
                (void)outcomes;  // all succeeded: nothing to return
            } else {
                std::vector<T> values;
                values.reserve(outcomes.size());
                for (Outcome<T>& outcome : outcomes) values.push_back(std::move(outcome).value());
                return values;
            }
        });
}
template <class T>
auto gather_results(std::initializer_list<Deferred<T>> ds, bool consume_errors = false) {
    return gather_results(std::vector<Deferred<T>>(ds), consume_errors);
}

}  // namespace interloop
