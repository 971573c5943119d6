// fd watches on every real reactor: readiness, set_interest, close, lifetime.

#include <unistd.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "tests/reactor/reactor_factories.hpp"
#include "tests/reactor/reactor_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::testing;

#define REACTOR_TEST(name) \
    BOOST_DATA_TEST_CASE(name, boost::unit_test::data::make(reactor_factories()), factory)

BOOST_AUTO_TEST_SUITE(reactor_io)

REACTOR_TEST(watch_reports_a_readable_pipe) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    Interest seen = Interest::none;
    char byte = 0;
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest what) {
        seen = what;
        BOOST_TEST(::read(pipe.first(), &byte, 1) == 1);
        reactor->stop();
    });
    BOOST_TEST((watch.interest() == Interest::readable));
    reactor->call_later(5ms, [&] { put_byte(pipe.second()); });
    run_guarded(*reactor);
    BOOST_TEST((seen == Interest::readable));
    BOOST_TEST(byte == 'x');
}

REACTOR_TEST(watch_reports_a_writable_socket) {
    auto reactor = factory.make();
    FdPair sockets = FdPair::socketpair();
    Interest seen = Interest::none;
    Watch watch = reactor->watch(sockets.first(), Interest::writable, [&](Interest what) {
        seen = what;
        reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST((seen == Interest::writable));
}

REACTOR_TEST(watch_for_both_reports_the_ready_subset) {
    auto reactor = factory.make();
    FdPair sockets = FdPair::socketpair();
    put_byte(sockets.second());
    Interest seen = Interest::none;
    Watch watch = reactor->watch(sockets.first(), Interest::both, [&](Interest what) {
        seen = seen | what;
        if (seen == Interest::both) reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST((seen == Interest::both));
}

REACTOR_TEST(watches_are_persistent) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    int calls = 0;
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        char byte;
        BOOST_TEST(::read(pipe.first(), &byte, 1) == 1);
        if (++calls == 3) return reactor->stop();
        reactor->call_soon([&] { put_byte(pipe.second()); });
    });
    put_byte(pipe.second());
    run_guarded(*reactor);
    BOOST_TEST(calls == 3);
}

REACTOR_TEST(watches_are_level_triggered) {
    // An fd left ready (nothing is read) is reported again on every loop iteration: an
    // edge-triggered backend would report it once.
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());
    int calls = 0;
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        if (++calls == 3) reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST(calls == 3);
}

REACTOR_TEST(two_watches_on_one_fd_both_fire) {
    auto reactor = factory.make();
    FdPair sockets = FdPair::socketpair();
    put_byte(sockets.second());
    bool read_seen = false;
    bool write_seen = false;
    Watch reader, writer;
    auto maybe_stop = [&] {
        if (read_seen && write_seen) reactor->stop();
    };
    reader = reactor->watch(sockets.first(), Interest::readable, [&](Interest what) {
        read_seen = what == Interest::readable;
        reader.close();
        maybe_stop();
    });
    writer = reactor->watch(sockets.first(), Interest::writable, [&](Interest what) {
        write_seen = what == Interest::writable;
        writer.close();
        maybe_stop();
    });
    run_guarded(*reactor);
    BOOST_TEST(read_seen);
    BOOST_TEST(write_seen);
}

REACTOR_TEST(set_interest_changes_what_is_waited_for) {
    auto reactor = factory.make();
    FdPair sockets = FdPair::socketpair();
    std::vector<Interest> seen;
    Watch watch;
    watch = reactor->watch(sockets.first(), Interest::writable, [&](Interest what) {
        seen.push_back(what);
        if (what == Interest::writable) {
            watch.set_interest(Interest::readable);  // from inside the callback
            reactor->call_later(5ms, [&] { put_byte(sockets.second()); });
        } else {
            reactor->stop();
        }
    });
    run_guarded(*reactor);
    BOOST_REQUIRE(seen.size() == 2u);
    BOOST_TEST((seen[0] == Interest::writable));
    BOOST_TEST((seen[1] == Interest::readable));
    BOOST_TEST((watch.interest() == Interest::readable));
}

REACTOR_TEST(interest_none_pauses_a_watch_without_closing_it) {
    auto reactor = factory.make();
    FdPair sockets = FdPair::socketpair();  // always writable
    int calls = 0;
    Watch watch = reactor->watch(sockets.first(), Interest::writable, [&](Interest) { ++calls; });
    watch.set_interest(Interest::none);
    reactor->call_later(20ms, [&] {
        BOOST_TEST(calls == 0);
        watch.set_interest(Interest::writable);
        reactor->call_later(20ms, [&] { reactor->stop(); });
    });
    run_guarded(*reactor);
    BOOST_TEST(bool(watch));
    BOOST_TEST(calls > 0);
}

REACTOR_TEST(closing_a_watch_inside_its_callback_stops_further_callbacks) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());  // stays readable: never read
    int calls = 0;
    Watch watch;
    watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        ++calls;
        watch.close();
        BOOST_TEST(!watch);
    });
    reactor->call_later(20ms, [&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(calls == 1);
    BOOST_TEST((watch.interest() == Interest::none));
    BOOST_CHECK_THROW(watch.set_interest(Interest::readable), std::logic_error);
}

REACTOR_TEST(destroying_a_watch_inside_its_callback_keeps_the_callback_alive) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());
    auto token = std::make_shared<int>(7);
    int seen = 0;
    auto watch = std::make_unique<Watch>();
    *watch = reactor->watch(pipe.first(), Interest::readable, [&, token](Interest) {
        watch.reset();  // destroys the Watch and its entry while this lambda runs
        seen = *token;  // the captures must still be alive
        reactor->stop();
    });
    run_guarded(*reactor);
    BOOST_TEST(seen == 7);
    BOOST_TEST(token.use_count() == 1);
}

REACTOR_TEST(a_watch_closed_before_its_turn_is_not_called_for_readiness_already_seen) {
    auto reactor = factory.make();
    FdPair a = FdPair::pipe();
    FdPair b = FdPair::pipe();
    put_byte(a.second());
    put_byte(b.second());  // both ready in the same poll
    int calls = 0;
    Watch wa, wb;
    wa = reactor->watch(a.first(), Interest::readable, [&](Interest) {
        ++calls;
        wb.close();
        wa.close();
    });
    wb = reactor->watch(b.first(), Interest::readable, [&](Interest) {
        ++calls;
        wa.close();
        wb.close();
    });
    reactor->call_later(20ms, [&] { reactor->stop(); });
    run_guarded(*reactor);
    BOOST_TEST(calls == 1);
}

REACTOR_TEST(an_exception_from_a_watch_callback_is_logged_and_the_watch_stays) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    put_byte(pipe.second());
    LogCapture logs;
    int calls = 0;
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        if (++calls == 2) return reactor->stop();
        throw std::runtime_error("bad read");
    });
    run_guarded(*reactor);
    BOOST_TEST(calls == 2);
    BOOST_TEST(logs.count("std::runtime_error: bad read") == 1u);
}

REACTOR_TEST(moving_a_watch_keeps_it_registered) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    bool called = false;
    Watch first = reactor->watch(pipe.first(), Interest::readable, [&](Interest) {
        called = true;
        reactor->stop();
    });
    Watch second = std::move(first);
    BOOST_TEST(!first);  // NOLINT(bugprone-use-after-move): checking the moved-from state
    BOOST_TEST(bool(second));
    put_byte(pipe.second());
    run_guarded(*reactor);
    BOOST_TEST(called);
}

REACTOR_TEST(watching_a_closed_fd_throws) {
    auto reactor = factory.make();
    LogCapture logs;  // the backend may log the failed registration
    int closed_fd = -1;
    {
        FdPair pipe = FdPair::pipe();
        closed_fd = pipe.first();
    }
    BOOST_CHECK_THROW(reactor->watch(closed_fd, Interest::readable, [](Interest) {}),
                      std::exception);
}

REACTOR_TEST(watching_a_regular_file_throws) {
    // epoll cannot poll regular files (they are always ready): refused, not silently dead.
    auto reactor = factory.make();
    LogCapture logs;
    std::FILE* file = std::tmpfile();
    BOOST_REQUIRE(file != nullptr);
    BOOST_CHECK_THROW(reactor->watch(::fileno(file), Interest::readable, [](Interest) {}),
                      std::exception);
    std::fclose(file);
}

REACTOR_TEST(a_watch_outliving_its_reactor_is_inert) {
    auto reactor = factory.make();
    FdPair pipe = FdPair::pipe();
    Watch watch = reactor->watch(pipe.first(), Interest::readable, [](Interest) {});
    reactor.reset();
    watch.set_interest(Interest::writable);  // no reactor: nothing to do, no crash
    BOOST_TEST((watch.interest() == Interest::writable));
    watch.close();
    BOOST_TEST(!watch);
}

BOOST_AUTO_TEST_SUITE_END()
