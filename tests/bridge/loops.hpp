#pragma once
// Both worlds for one bridge test: a reactor and an io_context, on one thread or on two.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bridge/asio_reactor.hpp"
#include "reactor/libevent_reactor.hpp"

namespace interloop::testing {

/// A reactor plus an io_context. `run(start)` calls `start` on the reactor's thread, runs both
/// loops until `finish()` (callable from any thread), and throws if that takes longer than
/// the limit — a watchdog, never a sleep.
class Loops {
public:
    virtual ~Loops() = default;
    virtual const char* name() const = 0;
    virtual Reactor& reactor() = 0;
    virtual boost::asio::io_context& context() = 0;
    boost::asio::any_io_executor executor() { return context().get_executor(); }

    virtual void run(std::function<void()> start, std::chrono::seconds limit) = 0;
    void run(std::function<void()> start) { run(std::move(start), std::chrono::seconds(10)); }
    virtual void finish() = 0;
};

/// Shared loop: an AsioReactor on the io_context; Deferreds and coroutines share one thread.
class SharedLoop final : public Loops {
public:
    using Loops::run;
    const char* name() const override { return "shared loop"; }
    Reactor& reactor() override { return reactor_; }
    boost::asio::io_context& context() override { return io_; }

    void run(std::function<void()> start, std::chrono::seconds limit) override {
        bool timed_out = false;
        reactor_.call_soon(std::move(start));
        auto watchdog = reactor_.call_later(limit, [&] {
            timed_out = true;
            reactor_.crash();
        });
        reactor_.run();
        if (watchdog.active()) watchdog.cancel();
        if (timed_out) throw std::runtime_error("shared loop: test did not finish in time");
    }
    void finish() override {
        reactor_.call_from_thread([this] {
            if (reactor_.running()) reactor_.crash();
        });
    }

private:
    boost::asio::io_context io_;
    AsioReactor reactor_{io_};
};

/// Two loops: a LibeventReactor on one thread, the io_context on another; every crossing
/// hops between them.
class TwoLoops final : public Loops {
public:
    using Loops::run;
    const char* name() const override { return "two loops"; }
    Reactor& reactor() override { return reactor_; }
    boost::asio::io_context& context() override { return io_; }

    void run(std::function<void()> start, std::chrono::seconds limit) override {
        auto finished = done_.get_future();
        std::thread asio_thread([this] { io_.run(); });
        reactor_.call_from_thread(std::move(start));
        std::thread reactor_thread([this] { reactor_.run(); });
        bool timed_out = finished.wait_for(limit) != std::future_status::ready;
        reactor_.call_from_thread([this] { reactor_.crash(); });
        reactor_thread.join();
        work_.reset();
        io_.stop();
        asio_thread.join();
        if (timed_out) throw std::runtime_error("two loops: test did not finish in time");
    }
    void finish() override {
        if (!finished_.exchange(true)) done_.set_value();
    }

private:
    // Destroyed in reverse order: the reactor first, while the io_context it may still post
    // cancellations to is alive (destroy loops one at a time, never concurrently).
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    LibeventReactor reactor_;
    std::promise<void> done_;
    std::atomic<bool> finished_{false};
};

/// Every mode, for BOOST_DATA_TEST_CASE-style loops in the tests.
inline std::vector<std::function<std::unique_ptr<Loops>()>> loop_modes() {
    return {
        [] { return std::make_unique<SharedLoop>(); },
        [] { return std::make_unique<TwoLoops>(); },
    };
}

/// Runs `body(loops)` once per mode; a failure names the mode.
template <class Body>
void for_each_mode(Body body) {
    for (auto& make : loop_modes()) {
        auto loops = make();
        BOOST_TEST_CONTEXT("mode: " << loops->name()) {
            body(*loops);
        }
    }
}

}  // namespace interloop::testing
