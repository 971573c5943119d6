#pragma once
// Every real reactor implementation, for tests parameterized over reactors.

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

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

/// The reactor tests run once per entry: a new reactor implementation is one more line in
/// reactor_factories.cpp. Defined there so that test files do not include the backends'
/// headers (AsioReactor's pulls in Asio, which compiles slowly).
std::vector<ReactorFactory> reactor_factories();

}  // namespace interloop::testing
