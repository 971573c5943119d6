#pragma once
// Helpers for tests that drive a real reactor: a watchdog, fd pairs, base-class access.

#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <utility>

#include "reactor/reactor.hpp"
#include "reactor/reactor_base.hpp"

namespace interloop::testing {

/// Fails the test and crashes the loop if it is still running after `limit`, so a broken
/// test fails instead of hanging. Cancelled when destroyed (the reactor may be gone).
class Watchdog {
public:
    explicit Watchdog(Reactor& reactor, Duration limit = std::chrono::seconds(5)) {
        call_ = reactor.call_later(limit, [&reactor] {
            BOOST_ERROR("watchdog: the loop did not stop in time");
            reactor.crash();
        });
    }
    ~Watchdog() {
        if (call_.active()) call_.cancel();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

private:
    DelayedCall call_;
};

/// Runs `reactor` under a watchdog.
inline void run_guarded(Reactor& reactor, Duration limit = std::chrono::seconds(5)) {
    Watchdog watchdog(reactor, limit);
    reactor.run();
}

/// Two connected fds (a pipe or a socketpair), closed on destruction.
struct FdPair {
    int fds[2] = {-1, -1};
    static FdPair pipe() {
        FdPair p;
        BOOST_REQUIRE(::pipe(p.fds) == 0);
        return p;
    }
    static FdPair socketpair() {
        FdPair p;
        BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, p.fds) == 0);
        return p;
    }
    FdPair() = default;
    FdPair(FdPair&& o) noexcept { std::swap(fds, o.fds); }
    FdPair& operator=(FdPair&&) = delete;
    ~FdPair() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    int first() const { return fds[0]; }
    int second() const { return fds[1]; }
};

/// Writes one byte to `fd`.
inline void put_byte(int fd) {
    BOOST_REQUIRE(::write(fd, "x", 1) == 1);
}

/// The shared base of the real reactors (shutdown triggers live there).
inline ReactorBase& base_of(Reactor& reactor) {
    auto* base = dynamic_cast<ReactorBase*>(&reactor);
    BOOST_REQUIRE_MESSAGE(base != nullptr, "this reactor does not derive from ReactorBase");
    return *base;
}

}  // namespace interloop::testing
