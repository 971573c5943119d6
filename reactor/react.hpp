#pragma once
// react(): run a reactor around one Deferred-returning main function (Twisted's task.react).

#include <exception>
#include <string>

#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"
#include "reactor/unique_function.hpp"

namespace interloop {

/// Thrown (or used as a failure) by a `react` main function to choose the exit code, like
/// Python's `SystemExit(n)`: `return fail(ExitCode{2});`.
class ExitCode : public std::exception {
public:
    explicit ExitCode(int code) : code_(code), what_("exit code " + std::to_string(code)) {}
    int code() const noexcept { return code_; }
    const char* what() const noexcept override { return what_.c_str(); }

private:
    int code_;
    std::string what_;
};

/// Installs the signal handlers, runs `reactor` and calls `main(reactor)` from the loop; the
/// loop stops (gracefully) when the returned Deferred fires. Returns the exit code: 0 on
/// success, the code of an `ExitCode` failure, 1 for any other failure (logged with its type
/// and message, as is an exception thrown by `main` itself), and 0 if the reactor was stopped
/// by someone else while `main`'s Deferred was still pending — as Twisted does; that includes
/// a stop forced by a second SIGINT. Throws `ReactorAlreadyRunning`
/// if the reactor is running.
int react(Reactor& reactor, UniqueFunction<Deferred<void>(Reactor&)> main);

}  // namespace interloop
