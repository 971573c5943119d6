// The Downloader's slot scheduling on the Clock, with a fake transport: concurrency limits,
// FIFO and round-robin order, download delay, cancellation, close, stats. No sockets, no time.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "reactor/clock.hpp"
#include "spider/downloader.hpp"
#include "tests/spider/fake_transport.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

/// A Downloader on a Clock with a FakeTransport. Fetches a test leaves pending fail when it is
/// destroyed; their "Unhandled error" lines are captured (`quiet`, destroyed last).
struct Setup {
    explicit Setup(DownloaderSettings settings) {
        auto fake = std::make_unique<FakeTransport>(clock);
        transport = fake.get();
        downloader = std::make_unique<Downloader>(clock, settings, std::move(fake));
    }
    LogCapture quiet;
    Clock clock;
    FakeTransport* transport;
    std::unique_ptr<Downloader> downloader;
};

DownloaderSettings limits(std::size_t global, std::size_t per_domain) {
    DownloaderSettings settings;
    settings.concurrent_requests = global;
    settings.concurrent_requests_per_domain = per_domain;
    settings.randomize_download_delay = false;
    return settings;
}

std::string url(char host, int n) {
    return std::string("http://") + host + ".example/" + std::to_string(n);
}

using Urls = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(downloader_slots)

BOOST_AUTO_TEST_CASE(per_domain_limit_queues_the_rest_in_fifo_order) {
    Setup s(limits(10, 2));
    std::vector<Deferred<Response>> results;
    for (int i = 1; i <= 5; ++i) results.push_back(s.downloader->fetch(Request(url('a', i))));
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('a', 2)}));
    BOOST_TEST(s.downloader->transferring() == 2u);
    BOOST_TEST(s.downloader->queued() == 3u);
    BOOST_TEST(has_no_result(results[0]));
    s.transport->succeed(url('a', 2), 200, "two");
    BOOST_TEST(success_result_of(results[1]).body == "two");
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('a', 2), url('a', 3)}));
    s.transport->succeed(url('a', 1));
    s.transport->succeed(url('a', 3));
    BOOST_TEST(s.transport->started.size() == 5u);
    BOOST_TEST(s.downloader->in_flight() == 2u);
}

BOOST_AUTO_TEST_CASE(global_limit_serves_waiting_slots_round_robin) {
    Setup s(limits(2, 2));
    std::vector<Deferred<Response>> results;
    for (int i = 1; i <= 3; ++i) results.push_back(s.downloader->fetch(Request(url('a', i))));
    for (int i = 1; i <= 3; ++i) results.push_back(s.downloader->fetch(Request(url('b', i))));
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('a', 2)}));
    s.transport->succeed(url('a', 1));  // b waited longest for the global limit: b1
    s.transport->succeed(url('a', 2));  // b is still first in line: b2 (a3 waits its turn)
    s.transport->succeed(url('b', 1));  // a's turn: a3
    s.transport->succeed(url('a', 3));  // b3
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('a', 2), url('b', 1),
                                                    url('b', 2), url('a', 3), url('b', 3)}));
}

BOOST_AUTO_TEST_CASE(download_delay_spaces_starts_on_one_host) {
    DownloaderSettings settings = limits(16, 8);
    settings.download_delay = 2s;
    Setup s(settings);
    std::vector<Deferred<Response>> results;
    for (int i = 1; i <= 3; ++i) results.push_back(s.downloader->fetch(Request(url('a', i))));
    results.push_back(s.downloader->fetch(Request(url('b', 1))));  // another slot: no wait
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('b', 1)}));
    s.transport->succeed(url('a', 1));  // finishing early does not shorten the delay
    s.clock.advance(1.9s);
    BOOST_TEST(s.transport->started.size() == 2u);
    s.clock.advance(0.1s);
    BOOST_TEST(s.transport->started.size() == 3u);
    s.clock.advance(2s);
    BOOST_TEST(s.transport->started.size() == 4u);
    std::vector<double> times;
    for (const auto& started : s.transport->started) times.push_back(started.time);
    BOOST_TEST(times == (std::vector<double>{0.0, 0.0, 2.0, 4.0}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(randomized_delay_stays_within_half_and_one_and_a_half) {
    DownloaderSettings settings = limits(100, 100);  // nothing finishes in this test
    settings.download_delay = 1s;
    settings.randomize_download_delay = true;
    Setup s(settings);
    std::vector<Deferred<Response>> results;
    for (int i = 0; i < 20; ++i) results.push_back(s.downloader->fetch(Request(url('a', i))));
    for (int step = 0; step < 2000 && s.transport->started.size() < 20; ++step)
        s.clock.advance(0.05s);
    BOOST_REQUIRE(s.transport->started.size() == 20u);
    for (std::size_t i = 1; i < s.transport->started.size(); ++i) {
        const double gap = s.transport->started[i].time - s.transport->started[i - 1].time;
        BOOST_TEST(gap >= 0.5 - 1e-9);
        BOOST_TEST(gap <= 1.5 + 0.05 + 1e-9);  // + one advance step of lateness
    }
}

BOOST_AUTO_TEST_CASE(idle_slots_are_dropped_once_their_delay_has_passed) {
    DownloaderSettings settings = limits(16, 8);
    settings.download_delay = 1s;
    Setup s(settings);
    auto result = s.downloader->fetch(Request(url('a', 1)));
    s.transport->succeed(url('a', 1));
    BOOST_TEST(s.downloader->slot_count() == 1u);  // remembers when it may start again
    s.clock.advance(1s);
    BOOST_TEST(s.downloader->slot_count() == 0u);
    BOOST_TEST(s.clock.pending_calls().empty());

    Setup no_delay(limits(16, 8));
    auto other = no_delay.downloader->fetch(Request(url('a', 1)));
    no_delay.transport->succeed(url('a', 1));
    BOOST_TEST(no_delay.downloader->slot_count() == 0u);
}

BOOST_AUTO_TEST_CASE(cancelling_a_queued_fetch_removes_it_from_its_queue) {
    Setup s(limits(1, 1));
    auto first = s.downloader->fetch(Request(url('a', 1)));
    auto second = s.downloader->fetch(Request(url('a', 2)));
    auto third = s.downloader->fetch(Request(url('a', 3)));
    second.cancel();
    BOOST_TEST(failure_result_of(second).check<CancelledError>());
    BOOST_TEST(s.downloader->queued() == 1u);
    s.transport->succeed(url('a', 1));
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('a', 3)}));
    BOOST_TEST(s.transport->aborted.empty());
    BOOST_TEST(s.downloader->stats().errors(DownloadErrorReason::cancelled) == 1u);
}

BOOST_AUTO_TEST_CASE(cancelling_a_running_fetch_aborts_it_and_starts_the_next) {
    Setup s(limits(1, 1));
    auto first = s.downloader->fetch(Request(url('a', 1)));
    auto second = s.downloader->fetch(Request(url('b', 1)));
    first.cancel();
    BOOST_TEST(failure_result_of(first).check<CancelledError>());
    BOOST_TEST(s.transport->aborted == (Urls{url('a', 1)}));
    BOOST_TEST(s.transport->started_urls() == (Urls{url('a', 1), url('b', 1)}));
    first.cancel();  // fired already: nothing happens
    BOOST_TEST(s.transport->aborted.size() == 1u);
}

BOOST_AUTO_TEST_CASE(failures_are_typed_and_carry_the_request) {
    Setup s(limits(4, 4));
    Request request(url('a', 1));
    request.meta.set("attempt", 2);
    auto result = s.downloader->fetch(std::move(request));
    s.transport->fail(url('a', 1), DownloadErrorReason::timeout);
    Failure failure = failure_result_of(result);
    BOOST_REQUIRE(failure.check<DownloadError>());
    try {
        failure.raise();
    } catch (const DownloadError& error) {
        BOOST_TEST((error.reason() == DownloadErrorReason::timeout));
        BOOST_TEST(error.curl_code() == 99);
        BOOST_TEST(error.request()->url() == url('a', 1));
        BOOST_TEST(*error.request()->meta.get<int>("attempt") == 2);
    }
}

BOOST_AUTO_TEST_CASE(stats_count_responses_bytes_and_errors) {
    Setup s(limits(4, 4));
    std::vector<Deferred<Response>> results;
    for (int i = 1; i <= 4; ++i) results.push_back(s.downloader->fetch(Request(url('a', i))));
    s.transport->succeed(url('a', 1), 200, "12345");
    s.transport->succeed(url('a', 2), 404, "123");
    s.transport->succeed(url('a', 3), 200, "");
    s.transport->fail(url('a', 4), DownloadErrorReason::connect);
    BOOST_TEST(failure_result_of(results[3]).check<DownloadError>());
    const DownloaderStats& stats = s.downloader->stats();
    BOOST_TEST(stats.requests == 4u);
    BOOST_TEST(stats.responses == 3u);
    BOOST_TEST(stats.responses_by_status.at(200) == 2u);
    BOOST_TEST(stats.responses_by_status.at(404) == 1u);
    BOOST_TEST(stats.response_bytes == 8u);
    BOOST_TEST(stats.errors(DownloadErrorReason::connect) == 1u);
    BOOST_TEST(stats.errors() == 1u);
}

BOOST_AUTO_TEST_CASE(close_fails_everything_pending_and_later_fetches) {
    Setup s(limits(1, 1));
    auto running = s.downloader->fetch(Request(url('a', 1)));
    auto queued = s.downloader->fetch(Request(url('a', 2)));
    s.downloader->close();
    for (auto* d : {&running, &queued}) {
        Failure failure = failure_result_of(*d);
        BOOST_TEST(failure.check<DownloadError>());
        BOOST_TEST(failure.message().find("(cancelled)") != std::string::npos);
    }
    BOOST_TEST(s.transport->aborted == (Urls{url('a', 1)}));
    BOOST_TEST(s.downloader->in_flight() == 0u);
    auto late = s.downloader->fetch(Request(url('a', 3)));
    BOOST_TEST(failure_result_of(late).check<DownloadError>());
    BOOST_TEST(s.transport->started.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_callback_may_destroy_the_downloader) {
    Setup s(limits(2, 2));
    auto first = s.downloader->fetch(Request(url('a', 1)));
    auto second = s.downloader->fetch(Request(url('a', 2)));
    auto third = s.downloader->fetch(Request(url('a', 3)));
    bool destroyed = false;
    first.add_callback([&](Response) {
        s.downloader.reset();
        destroyed = true;
    });
    s.transport->succeed(url('a', 1));
    BOOST_TEST(destroyed);
    BOOST_TEST(failure_result_of(second).check<DownloadError>());
    BOOST_TEST(failure_result_of(third).check<DownloadError>());
}

BOOST_AUTO_TEST_CASE(an_errback_of_close_may_fetch_again) {
    Setup s(limits(1, 1));
    Deferred<Response> retried;
    auto first = s.downloader->fetch(Request(url('a', 1)));
    first.add_errback([&](const Failure&) {
        retried = s.downloader->fetch(Request(url('a', 1)));
        return Response(Request(url('a', 1)));
    });
    s.downloader->close();
    BOOST_TEST(failure_result_of(retried).check<DownloadError>());
}

BOOST_AUTO_TEST_CASE(zero_concurrency_is_refused) {
    Clock clock;
    BOOST_CHECK_THROW(Downloader(clock, limits(0, 1), std::make_unique<FakeTransport>(clock)),
                      std::invalid_argument);
    BOOST_CHECK_THROW(Downloader(clock, limits(1, 0), std::make_unique<FakeTransport>(clock)),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
