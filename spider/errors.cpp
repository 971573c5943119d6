#include "spider/errors.hpp"

#include <fmt/format.h>

#include "spider/response.hpp"

namespace interloop::spider {

SelectorSyntaxError::SelectorSyntaxError(std::string_view language, std::string_view expression,
                                         std::string_view reason)
    : std::invalid_argument(fmt::format("invalid {} '{}': {}", language, expression, reason)),
      language_(language),
      expression_(expression),
      reason_(reason) {}

HttpError::HttpError(std::shared_ptr<const Response> response)
    : IgnoreRequest(fmt::format("Ignoring response <{} {}>: HTTP status code is not handled or "
                                "not allowed",
                                response->status, response->url)),
      response_(std::move(response)) {}

int HttpError::status() const noexcept {
    return response_->status;
}

}  // namespace interloop::spider
