#pragma once
// Outcome<T>: a value or a Failure, what `add_both` callbacks and DeferredList results carry.

#include <optional>
#include <utility>
#include <variant>

#include "reactor/failure.hpp"

namespace interloop {

/// Either a `T` or a `Failure` (Twisted's "result or Failure" passed to `addBoth`).
template <class T>
class Outcome {
public:
    Outcome(T value) : state_(std::in_place_index<0>, std::move(value)) {}            // NOLINT
    Outcome(Failure failure) : state_(std::in_place_index<1>, std::move(failure)) {}  // NOLINT

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; rethrows the failure's exception if this holds a failure.
    T& value() & { return has_value() ? std::get<0>(state_) : (failure().raise(), get0()); }
    const T& value() const& {
        return has_value() ? std::get<0>(state_) : (failure().raise(), get0());
    }
    T&& value() && { return std::move(value()); }

    /// The failure; only valid when `!has_value()`.
    const Failure& failure() const { return std::get<1>(state_); }

private:
    T& get0() { return std::get<0>(state_); }
    const T& get0() const { return std::get<0>(state_); }
    std::variant<T, Failure> state_;
};

/// The outcome of a `Deferred<void>`: success or a `Failure`.
template <>
class Outcome<void> {
public:
    Outcome() = default;
    Outcome(Failure failure) : failure_(std::move(failure)) {}  // NOLINT

    bool has_value() const noexcept { return !failure_; }
    explicit operator bool() const noexcept { return has_value(); }
    /// Does nothing on success; rethrows the failure's exception otherwise.
    void value() const {
        if (failure_) failure_->raise();
    }
    /// The failure; only valid when `!has_value()`.
    const Failure& failure() const { return *failure_; }

private:
    std::optional<Failure> failure_;
};

}  // namespace interloop
