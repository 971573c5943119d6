#pragma once
// CallbackResult: the one return type of spider callbacks and errbacks, whatever their style.

#include <utility>
#include <variant>

#include "reactor/deferred.hpp"
#include "spider/item.hpp"
#include "spider/output_stream.hpp"

namespace interloop::spider {

/// What a spider callback (or errback) hands back to the engine, built implicitly from what
/// the callback returns:
///
/// * `Outputs` — a plain callback: the items and requests, all known when it returns;
/// * `Deferred<Outputs>` — a Deferred callback: its outputs come when the Deferred fires, and
///   the response counts as in progress until then (the spider does not close meanwhile).
///   A failed Deferred is handled like an exception thrown by a plain callback;
/// * `OutputStream` — a coroutine callback: a function returning `CallbackResult` (or
///   `OutputStream`) that uses `co_yield`/`co_await` is one. Each output is processed as it is
///   yielded; the response counts as in progress until the body ended and every output it
///   yielded was processed, however long it awaits in between. An exception it throws is
///   handled like one from a plain callback; what it yielded before is kept.
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
/// CallbackResult parse_stream(const Response& page) {
///     Info info = co_await api.lookup(page.url);            // coroutine
///     Item item{{"name", info.name}};   // (g++ 12: no braced lists inside co_yield)
///     co_yield std::move(item);
/// }
/// ```
class CallbackResult {
public:
    /// Makes a function returning CallbackResult a coroutine callback (an OutputStream).
    using promise_type = detail::StreamPromise;

    /// No outputs.
    CallbackResult() = default;
    /// Outputs produced at once.
    CallbackResult(Outputs outputs) noexcept : value_(std::move(outputs)) {}
    /// Outputs produced later.
    CallbackResult(Deferred<Outputs> outputs) noexcept : value_(std::move(outputs)) {}
    /// Outputs produced one at a time by a coroutine.
    CallbackResult(OutputStream stream) noexcept : value_(std::move(stream)) {}

    /// The outputs, if they were produced at once.
    Outputs* outputs() noexcept { return std::get_if<Outputs>(&value_); }
    /// The Deferred of the outputs, if they come later.
    Deferred<Outputs>* deferred() noexcept { return std::get_if<Deferred<Outputs>>(&value_); }
    /// The coroutine, if the outputs are yielded one at a time.
    OutputStream* stream() noexcept { return std::get_if<OutputStream>(&value_); }

private:
    std::variant<Outputs, Deferred<Outputs>, OutputStream> value_;
};

}  // namespace interloop::spider
