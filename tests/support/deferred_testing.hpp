#pragma once
// Trial's synchronous inspection helpers: look at a Deferred's current result without a loop.

#include <stdexcept>
#include <string>

#include "reactor/deferred.hpp"

namespace interloop::testing {

/// Takes the value out of a Deferred that has succeeded; throws if it has no result yet or
/// has failed (Twisted trial's successResultOf, except that the value is moved out).
template <class T>
detail::stored_t<T> success_result_of(const Deferred<T>& d) {
    detail::ChainState& s = d.state();
    if (!d.has_result()) throw std::logic_error("Deferred has no result");
    if (s.result.has_failure())
        throw std::logic_error("expected a value, got " + Failure(s.result.failure()).describe());
    return s.result.template take<detail::stored_t<T>>();
}

/// Takes the failure out of a Deferred that has failed (trial's failureResultOf); the failure
/// counts as handled.
template <class T>
Failure failure_result_of(const Deferred<T>& d) {
    detail::ChainState& s = d.state();
    if (!d.has_result()) throw std::logic_error("Deferred has no result");
    if (!s.result.has_failure()) throw std::logic_error("expected a failure, got a value");
    return Failure(s.result.take_failure());
}

/// True while the Deferred has no result to give (trial's assertNoResult).
template <class T>
bool has_no_result(const Deferred<T>& d) {
    return !d.has_result();
}

}  // namespace interloop::testing
