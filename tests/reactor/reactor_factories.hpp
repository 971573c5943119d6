#pragma once
// Every real reactor implementation, for tests parameterized over reactors.

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "reactor/libevent_reactor.hpp"
#include "reactor/reactor.hpp"

namespace interloop::testing {

/// Makes one kind of reactor; `name` shows in test logs.
struct ReactorFactory {
    std::string name;
    std::function<std::unique_ptr<Reactor>()> make;
};

inline std::ostream& operator<<(std::ostream& out, const ReactorFactory& factory) {
    return out << factory.name;
}

/// The reactor tests run once per entry: a new reactor implementation is one more line.
inline std::vector<ReactorFactory> reactor_factories() {
    return {
        {"libevent", [] { return std::make_unique<LibeventReactor>(); }},
    };
}

}  // namespace interloop::testing
