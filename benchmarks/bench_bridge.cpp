// Cost of one crossing between the Deferred world and Asio coroutines, in shared-loop and
// two-loop mode, next to the two baselines measured in the same run: a `co_await post` round
// trip on one io_context, and a raw eventfd+epoll ping-pong between two threads.

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bridge/as_deferred.hpp"
#include "bridge/as_future.hpp"
#include "bridge/asio_reactor.hpp"
#include "reactor/libevent_reactor.hpp"

namespace asio = boost::asio;
using namespace interloop;
using Clock = std::chrono::steady_clock;

namespace {

struct Row {
    std::string mode, name;
    int crossings;  // crossings per iteration: shared loop, one suspension and resumption;
                    // two loops, one thread hop (a round trip is two)
    double ns;      // per iteration
    std::string baseline;
    double baseline_ns;
};

/// Median over `runs` of the ns per iteration that `run(n)` reports for `n` iterations.
double median_ns(int runs, int n, const std::function<double(int)>& run) {
    std::vector<double> samples;
    run(n / 10 + 1);  // warm up
    for (int i = 0; i < runs; ++i) samples.push_back(run(n));
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

double elapsed_ns(Clock::time_point start, int n) {
    return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / n;
}

asio::awaitable<int> immediate(int v) {
    co_return v;
}

// ---- shared loop: one thread, an AsioReactor on the io_context ----------------------------

/// Runs `body` as a coroutine on a fresh shared loop and returns what it measured.
double on_shared_loop(std::function<asio::awaitable<double>(AsioReactor&)> body) {
    asio::io_context io;
    AsioReactor reactor(io);
    double result = 0;
    reactor.call_soon([&] {
        asio::co_spawn(io, body(reactor), [&](std::exception_ptr e, double r) {
            if (e) std::rethrow_exception(e);
            result = r;
            reactor.crash();
        });
    });
    reactor.run();
    return result;
}

double shared_post(int n) {
    return on_shared_loop([n](AsioReactor&) -> asio::awaitable<double> {
        auto ex = co_await asio::this_coro::executor;
        auto start = Clock::now();
        for (int i = 0; i < n; ++i) co_await asio::post(ex, asio::use_awaitable);
        co_return elapsed_ns(start, n);
    });
}

double shared_as_future(int n) {
    return on_shared_loop([n](AsioReactor&) -> asio::awaitable<double> {
        auto start = Clock::now();
        long sum = 0;
        for (int i = 0; i < n; ++i) sum += co_await as_future(succeed(i));
        co_return sum >= 0 ? elapsed_ns(start, n) : 0;
    });
}

Deferred<double> await_as_deferred(asio::any_io_executor ex, int n) {
    auto start = Clock::now();
    long sum = 0;
    for (int i = 0; i < n; ++i) sum += co_await as_deferred(ex, immediate(i));
    co_return sum >= 0 ? elapsed_ns(start, n) : 0;
}

double shared_as_deferred(int n) {
    asio::io_context io;
    AsioReactor reactor(io);
    double result = 0;
    reactor.call_soon([&] {
        await_as_deferred(io.get_executor(), n).add_callback([&](double r) {
            result = r;
            reactor.crash();
        });
    });
    reactor.run();
    return result;
}

double shared_round_trip(int n) {
    return on_shared_loop([n](AsioReactor& reactor) -> asio::awaitable<double> {
        auto ex = co_await asio::this_coro::executor;
        auto start = Clock::now();
        long sum = 0;
        for (int i = 0; i < n; ++i)
            sum += co_await as_future(reactor, [&] { return as_deferred(ex, immediate(i)); });
        co_return sum >= 0 ? elapsed_ns(start, n) : 0;
    });
}

// ---- two loops: LibeventReactor on one thread, io_context on another -----------------------

struct TwoLoops {
    LibeventReactor reactor;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread asio_thread{[this] { io.run(); }};

    ~TwoLoops() {
        work.reset();
        io.stop();
        asio_thread.join();
    }
    /// Runs `start` on the reactor thread (this one) until it calls `reactor.crash()`.
    void run(std::function<void()> start) {
        reactor.call_soon(std::move(start));
        reactor.run();
    }
};

double two_loop_as_future(int n) {
    TwoLoops loops;
    double result = 0;
    loops.run([&] {
        asio::co_spawn(
            loops.io,
            [&]() -> asio::awaitable<double> {
                auto start = Clock::now();
                long sum = 0;
                for (int i = 0; i < n; ++i)
                    sum += co_await as_future(loops.reactor, [i] { return succeed(i); });
                co_return sum >= 0 ? elapsed_ns(start, n) : 0;
            },
            [&](std::exception_ptr e, double r) {
                if (e) std::rethrow_exception(e);
                loops.reactor.call_from_thread([&, r] {
                    result = r;
                    loops.reactor.crash();
                });
            });
    });
    return result;
}

double two_loop_as_deferred(int n) {
    TwoLoops loops;
    double result = 0;
    loops.run([&] {
        await_as_deferred(loops.io.get_executor(), n).add_callback([&](double r) {
            result = r;
            loops.reactor.crash();
        });
    });
    return result;
}

double two_loop_round_trip(int n) {
    TwoLoops loops;
    double result = 0;
    loops.run([&] {
        asio::co_spawn(
            loops.io,
            [&]() -> asio::awaitable<double> {
                auto ex = co_await asio::this_coro::executor;
                auto start = Clock::now();
                long sum = 0;
                for (int i = 0; i < n; ++i)
                    sum += co_await as_future(loops.reactor,
                                              [&ex, i] { return as_deferred(ex, immediate(i)); });
                co_return sum >= 0 ? elapsed_ns(start, n) : 0;
            },
            [&](std::exception_ptr e, double r) {
                if (e) std::rethrow_exception(e);
                loops.reactor.call_from_thread([&, r] {
                    result = r;
                    loops.reactor.crash();
                });
            });
    });
    return result;
}

/// Raw baseline: two threads, each blocked in epoll_wait on its own eventfd, bouncing a
/// token `n` times. Returns ns per round trip.
double eventfd_ping_pong(int n) {
    auto make_side = [] {
        int efd = eventfd(0, EFD_NONBLOCK);
        int ep = epoll_create1(0);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = efd;
        epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
        return std::pair{efd, ep};
    };
    auto [a_fd, a_ep] = make_side();
    auto [b_fd, b_ep] = make_side();
    auto wait_and_read = [](int ep, int fd) {
        epoll_event ev;
        while (epoll_wait(ep, &ev, 1, -1) != 1) {
        }
        std::uint64_t v;
        while (read(fd, &v, sizeof v) != sizeof v) {
        }
    };
    auto signal = [](int fd) {
        std::uint64_t one = 1;
        while (write(fd, &one, sizeof one) != sizeof one) {
        }
    };
    std::thread echo([&] {
        for (int i = 0; i < n; ++i) {
            wait_and_read(b_ep, b_fd);
            signal(a_fd);
        }
    });
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        signal(b_fd);
        wait_and_read(a_ep, a_fd);
    }
    double ns = elapsed_ns(start, n);
    echo.join();
    for (int fd : {a_fd, a_ep, b_fd, b_ep}) close(fd);
    return ns;
}

}  // namespace

int main(int argc, char** argv) {
    int shared_n = argc > 1 ? std::atoi(argv[1]) : 100000;
    int two_n = argc > 2 ? std::atoi(argv[2]) : 2000;
    const int runs = 7;

    double post = median_ns(runs, shared_n, shared_post);
    double ping = median_ns(runs, two_n, eventfd_ping_pong);
    std::string post_name = "co_await post round trip";
    std::string ping_name = "eventfd+epoll ping-pong";

    std::vector<Row> rows = {
        {"baseline", post_name, 1, post, post_name, post},
        {"shared", "co_await as_future(fired Deferred)", 1,
         median_ns(runs, shared_n, shared_as_future), post_name, post},
        {"shared", "as_deferred(immediate coroutine)", 1,
         median_ns(runs, shared_n, shared_as_deferred), post_name, post},
        {"shared", "as_future(reactor, as_deferred(...))", 2,
         median_ns(runs, shared_n, shared_round_trip), post_name, post},
        {"baseline", ping_name, 2, ping, ping_name, ping},
        {"two loops", "co_await as_future(reactor, fired)", 2,
         median_ns(runs, two_n, two_loop_as_future), ping_name, ping},
        {"two loops", "co_await as_deferred(immediate)", 2,
         median_ns(runs, two_n, two_loop_as_deferred), ping_name, ping},
        {"two loops", "as_future(reactor, as_deferred(...))", 4,
         median_ns(runs, two_n, two_loop_round_trip), ping_name, ping},
    };

    fmt::print("{:<10} {:<38} {:>9} {:>10} {:>7}  {}\n", "mode", "operation (median of 7 runs)",
               "crossings", "ns/op", "ratio", "against (per crossing)");
    fmt::print("{}\n", std::string(104, '-'));
    for (const Row& r : rows) {
        // Like with like: the post baseline is one crossing, the ping-pong two hops.
        double per_crossing = r.baseline == post_name ? post : ping / 2;
        double ratio = r.ns / (per_crossing * r.crossings);
        fmt::print("{:<10} {:<38} {:>9} {:>10.0f} {:>7.2f}  {}\n", r.mode, r.name, r.crossings,
                   r.ns, ratio, r.baseline);
    }
    return 0;
}
