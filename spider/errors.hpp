#pragma once
// The exception types of the spider layer.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace interloop::spider {

class Response;

/// An XPath, CSS or regular expression that cannot be used: malformed, or outside the supported
/// CSS subset, or (XPath) calling an unknown function or mixing types at evaluation time
/// (parsel's `ValueError`). `what()` names the expression and the reason.
class SelectorSyntaxError : public std::invalid_argument {
public:
    /// `language` is "xpath", "css" or "regex"; `reason` says what is wrong.
    SelectorSyntaxError(std::string_view language, std::string_view expression,
                        std::string_view reason);

    /// "xpath", "css" or "regex".
    const std::string& language() const noexcept { return language_; }
    /// The expression as the caller wrote it.
    const std::string& expression() const noexcept { return expression_; }
    /// Why it was rejected.
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string language_, expression_, reason_;
};

/// Thrown from a spider callback, errback, pipeline or signal handler to close the spider with
/// `reason` (Scrapy's `CloseSpider`): no new requests start, downloads in progress are cancelled,
/// items already scraped are kept.
class CloseSpider : public std::runtime_error {
public:
    explicit CloseSpider(std::string reason = "cancelled")
        : std::runtime_error("CloseSpider: " + reason), reason_(std::move(reason)) {}
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string reason_;
};

/// Thrown by a `spider_idle` handler to keep the spider open although it is idle (Scrapy's
/// `DontCloseSpider`). The engine asks again (sends `spider_idle`) when new work has come and
/// gone, or after IDLE_RECHECK_INTERVAL seconds, whichever is first.
class DontCloseSpider : public std::runtime_error {
public:
    DontCloseSpider() : std::runtime_error("DontCloseSpider") {}
};

/// Thrown by a middleware to drop a request without an error (Scrapy's `IgnoreRequest`): the
/// request's errback receives it; without one it is counted and logged at debug level.
class IgnoreRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Thrown by a pipeline (or failing its Deferred) to drop an item (Scrapy's `DropItem`): the
/// item stops there, `item_dropped` is sent with `what()` as the reason and counted
/// (`item_dropped_count`, `item_dropped_reasons_count/DropItem`).
class DropItem : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The failure an errback receives for a response whose status the spider does not handle
/// (Scrapy's `HttpError`, raised by the HTTP error middleware): the response is kept.
class HttpError : public IgnoreRequest {
public:
    explicit HttpError(std::shared_ptr<const Response> response);
    /// The response that was not handled.
    const Response& response() const noexcept { return *response_; }
    int status() const noexcept;

private:
    std::shared_ptr<const Response> response_;
};

}  // namespace interloop::spider
