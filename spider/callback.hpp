#pragma once
// CallbackResult: the one return type of spider callbacks and errbacks, whatever their style.

#include <utility>
#include <variant>

#include "reactor/deferred.hpp"
#include "spider/item.hpp"

namespace interloop::spider {

/// What a spider callback (or errback) hands back to the engine, built implicitly from what
/// the callback returns:
///
/// * `Outputs` — a plain callback: the items and requests, all known when it returns;
/// * `Deferred<Outputs>` — a Deferred callback: its outputs come when the Deferred fires, and
///   the response counts as in progress until then (the spider does not close meanwhile).
///   A failed Deferred is handled like an exception thrown by a plain callback.
///
/// ```cpp
/// CallbackResult parse(const Response& page) {
///     Outputs out;
///     for (auto& quote : page.css("div.quote")) out.push_back(Item{...});
///     return out;                                      // plain
/// }
/// CallbackResult parse_later(const Response& page) {
///     return api.lookup(page.url).add_callback([](Info info) { return Outputs{...}; });
/// }
/// ```
class CallbackResult {
public:
    /// No outputs.
    CallbackResult() = default;
    /// Outputs produced at once.
    CallbackResult(Outputs outputs) noexcept : value_(std::move(outputs)) {}
    /// Outputs produced later.
    CallbackResult(Deferred<Outputs> outputs) noexcept : value_(std::move(outputs)) {}

    /// The outputs, if they were produced at once.
    Outputs* outputs() noexcept { return std::get_if<Outputs>(&value_); }
    /// The Deferred of the outputs, if they come later.
    Deferred<Outputs>* deferred() noexcept { return std::get_if<Deferred<Outputs>>(&value_); }

private:
    std::variant<Outputs, Deferred<Outputs>> value_;
};

}  // namespace interloop::spider
