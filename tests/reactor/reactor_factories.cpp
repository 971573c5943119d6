// The reactor factories: the one place the reactor tests see the concrete backends.

#include "tests/reactor/reactor_factories.hpp"

#include "bridge/asio_reactor.hpp"
#include "reactor/libevent_reactor.hpp"

namespace interloop::testing {

std::vector<ReactorFactory> reactor_factories() {
    return {
        {"libevent", [] { return std::make_unique<LibeventReactor>(); }},
        // On an io_context of its own; the shared-loop cases are in tests/bridge.
        {"asio", [] { return std::make_unique<AsioReactor>(); }},
    };
}

}  // namespace interloop::testing
