#pragma once
// Small helpers shared by the bridge tests.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <exception>
#include <stdexcept>

#include "tests/bridge/loops.hpp"

namespace interloop::testing {

namespace asio = boost::asio;

/// An exception type of the user's own, to check that exceptions cross by type.
struct UserError : std::runtime_error {
    UserError() : std::runtime_error("user error") {}
};

/// Spawns a test coroutine on the Asio side. Its exception is stored in `error` (never lost
/// as with `detached`); `finish()` ends the run when it completes. Boost.Test is not
/// thread-safe: coroutines record what they saw and the test checks it after `run()`.
template <class F>
void spawn_then_finish(Loops& loops, std::exception_ptr& error, F coroutine) {
    asio::co_spawn(loops.executor(), std::move(coroutine), [&loops, &error](std::exception_ptr e) {
        error = e;
        loops.finish();
    });
}

/// Rethrows what a spawned test coroutine threw, so Boost.Test reports it.
inline void rethrow_if_set(const std::exception_ptr& error) {
    if (error) std::rethrow_exception(error);
}

/// Waits on an Asio timer from a coroutine.
inline asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace interloop::testing
