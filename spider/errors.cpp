#include "spider/errors.hpp"

#include <fmt/format.h>

namespace interloop::spider {

SelectorSyntaxError::SelectorSyntaxError(std::string_view language, std::string_view expression,
                                         std::string_view reason)
    : std::invalid_argument(fmt::format("invalid {} '{}': {}", language, expression, reason)),
      language_(language),
      expression_(expression),
      reason_(reason) {}

}  // namespace interloop::spider
