#include "reactor/errors.hpp"

#include <fmt/format.h>

namespace interloop {

TimeoutError::TimeoutError(double seconds)
    : std::runtime_error(fmt::format("timed out after {} seconds", seconds)), seconds_(seconds) {}

FirstError::FirstError(Failure failure, std::size_t index)
    : std::runtime_error(fmt::format("FirstError at index {}: {}", index, failure.describe())),
      failure_(std::move(failure)),
      index_(index) {}

FailureGroup::FailureGroup(std::vector<Failure> failures)
    : std::runtime_error(fmt::format("all {} alternatives failed", failures.size())),
      failures_(std::move(failures)) {}

}  // namespace interloop
