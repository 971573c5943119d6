#include "reactor/react.hpp"

#include <memory>

#include "reactor/errors.hpp"
#include "reactor/log.hpp"

namespace interloop {
namespace {

// Shared with the Deferred chain: main's Deferred may fire after react() returned (the
// reactor was stopped externally), when neither react's frame nor the reactor may exist.
struct ReactState {
    Reactor* reactor;
    int exit_code = 0;
    bool returned = false;
};

int exit_code_of(const Failure& failure) {
    try {
        failure.raise();
    } catch (const ExitCode& exit) {
        return exit.code();
    } catch (...) {
        try {
            log::emit(log::Level::error, "interloop.reactor", "main function failed: {}",
                      failure.describe());
        } catch (...) {
            // The exit code matters more than the log line; never skip the stop.
        }
    }
    return 1;
}

void finished(const std::shared_ptr<ReactState>& state, const Outcome<void>& outcome) {
    // A late failure (react already returned) is still logged, never silently dropped.
    const int code = outcome.has_value() ? 0 : exit_code_of(outcome.failure());
    if (state->returned) return;
    state->exit_code = code;
    try {
        state->reactor->stop();
    } catch (const ReactorNotRunning&) {
        // Already shutting down (a signal, or main's Deferred fired by a shutdown trigger).
    }
}

}  // namespace

int react(Reactor& reactor, UniqueFunction<Deferred<void>(Reactor&)> main) {
    if (reactor.running()) throw ReactorAlreadyRunning();
    auto state = std::make_shared<ReactState>();
    state->reactor = &reactor;
    reactor.install_signal_handlers();
    reactor.call_soon([state, main = std::move(main)]() mutable {
        // The loop may have been stopped before this first call ran: then main never starts,
        // even if the reactor is run again later.
        if (state->returned) return;
        Deferred<void> done = [&]() -> Deferred<void> {
            try {
                return main(*state->reactor);
            } catch (...) {
                return fail(Failure(std::current_exception()));
            }
        }();
        static_cast<void>(
            done.add_both([state](Outcome<void> outcome) { finished(state, outcome); }));
    });
    struct MarkReturned {
        ReactState& state;
        ~MarkReturned() { state.returned = true; }
    } mark{*state};
    reactor.run();
    return state->exit_code;
}

}  // namespace interloop
