#pragma once
// OutputStream: a coroutine callback that co_yields items and requests and co_awaits
// Deferreds and Asio awaitables (Scrapy's `async def parse` async generators).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"
#include "reactor/unique_function.hpp"
#include "spider/item.hpp"

namespace interloop::spider {

/// What a coroutine callback needs from its crawl to await Asio awaitables: the reactor its
/// body runs on and the executor the awaitables run on (the reactor's own io_context in
/// shared-loop mode, another loop's in two-loop mode).
struct StreamContext {
    Reactor* reactor = nullptr;
    std::optional<boost::asio::any_io_executor> executor;
};

namespace detail {
struct StreamPromise;
}

/// A coroutine that produces outputs one at a time:
///
/// ```cpp
/// OutputStream parse_slowly(const Response& page) {
///     co_await defer_later(clock, 3s);                  // any Deferred<T>
///     co_await timer.async_wait(asio::use_awaitable);   // any asio::awaitable<T>
///     Response detail = co_await fetch(Request(url));   // an inline download
///     Item item{{"title", detail.css("h1::text").get().value_or("")}};
///     co_yield std::move(item);   // g++ 12 rejects a braced list inside co_yield/co_await
///     co_yield page.follow("/next");
/// }
/// ```
///
/// A function returning `CallbackResult` may be such a coroutine too (the spider's virtual
/// `parse`, request callbacks), and the spider's `start()` is one.
///
/// The body is lazy: it runs only when the engine asks for the next output, always on the
/// reactor's thread, up to its next `co_yield`, its end, or an `co_await` of something not
/// ready yet. Awaiting a Deferred that already has its result does not suspend. A failure is
/// rethrown at the `co_await`, so the body can catch it by type. An Asio awaitable runs on the
/// crawl's executor through `as_deferred`; its result comes back to the reactor's thread.
///
/// Awaiting a Deferred takes its result, as an outer chain would: a second coroutine awaiting
/// the same Deferred gets a std::logic_error; give each its own.
///
/// Cancelling (the engine does it when the spider closes) cancels what the body is awaiting:
/// a `CancelledError` (or the download's error, for `fetch`) is thrown at the `co_await`.
/// Destroying a suspended stream destroys its frame; a Deferred it awaited later fires into
/// nothing.
class OutputStream {
public:
    using promise_type = detail::StreamPromise;
    /// What `advance` found.
    enum class Step {
        output,   ///< an output is ready: `take_output()`
        pending,  ///< the body awaits something; `on_ready` is called when it moved on
        done,     ///< the body ended: `error()` says how
    };

    OutputStream(OutputStream&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    OutputStream& operator=(OutputStream other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    ~OutputStream();

    /// Gives the body its context and the function to call when a pending stream has moved on
    /// (an output ready, or the end). Call once, before the first `advance`.
    void bind(const StreamContext* context, UniqueFunction<void()> on_ready);
    /// Runs the body to its next output or its end, unless it is pending or an output is
    /// already waiting. Never calls `on_ready`.
    Step advance();
    /// The output `advance` found (valid once per Step::output).
    Output take_output();
    /// True while the body awaits something.
    bool pending() const noexcept;
    /// True once the body ended.
    bool done() const noexcept;
    /// How the body ended: null if it returned, else what it threw.
    std::exception_ptr error() const noexcept;
    /// Cancels what the body awaits now, if anything (once, as asyncio cancels a task: a
    /// body that catches it may await more). May run the body (and `on_ready`) before it
    /// returns, and the consumer may then destroy this stream.
    void cancel();
    /// `cancel()` in two steps, for cancelling many streams whose ends free others: a function
    /// that cancels what the body awaits now (empty if nothing), safe to call after the stream
    /// was destroyed.
    UniqueFunction<void()> prepare_cancel() const;

private:
    friend struct detail::StreamPromise;
    explicit OutputStream(std::coroutine_handle<detail::StreamPromise> handle) noexcept
        : handle_(handle) {}

    std::coroutine_handle<detail::StreamPromise> handle_;
};

}  // namespace interloop::spider

#include "spider/impl/output_stream.hpp"
