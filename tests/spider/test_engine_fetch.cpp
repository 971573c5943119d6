// Inline fetch (Crawler::fetch) on the Clock: downloads for a callback that waits for them,
// through the downloader middlewares but not the scheduler, keeping the spider open.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "reactor/deferred_list.hpp"
#include "spider/download_error.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";
const std::string extra = "http://site.test/extra";

/// Records the status of each response a fetch gave, or the reason it failed.
struct Fetched {
    std::vector<std::string> results;
    Deferred<Outputs> record(Deferred<Response> fetch) {
        return fetch.add_callbacks(
            [this](const Response& r) {
                results.push_back(std::to_string(r.status));
                return Outputs{Item{{"status", r.status}}};
            },
            [this](const Failure& f) {
                auto* error = f.get<DownloadError>();
                results.push_back(error ? std::string(to_string(error->reason())) : f.type_name());
                return Outputs{};
            });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_fetch)

BOOST_AUTO_TEST_CASE(a_callback_waits_for_an_inline_fetch_that_skips_the_scheduler) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {extra, {404, "missing"}}});
    Fetched fetched;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        return fetched.record(crawl.crawler->fetch(Request(extra)));
    };
    crawl.start();
    crawl.clock.advance(Duration(0.1));  // home arrives, the fetch starts
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(crawl.transport->is_running(extra));
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 0.2, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(fetched.results == std::vector<std::string>{"404"});  // any status is a response
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);
    BOOST_TEST(crawl.stat("scheduler/enqueued") == 1);       // only the start request
    BOOST_TEST(crawl.stat("response_received_count") == 1);  // the fetch is the caller's
}

BOOST_AUTO_TEST_CASE(inline_fetches_are_retried_and_report_failures) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    crawl.overrides[extra] = [](const Request&) {
        return std::optional(FakeTransport::Reply{0, "", DownloadErrorReason::connect});
    };
    Fetched fetched;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        return fetched.record(crawl.crawler->fetch(Request(extra)));
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(fetched.results == std::vector<std::string>{"connect"});
    // The first attempt and RETRY_TIMES = 2 retries.
    const std::vector<std::string> started = crawl.transport->started_urls();
    BOOST_TEST(std::count(started.begin(), started.end(), extra) == 3);
}

BOOST_AUTO_TEST_CASE(several_inline_fetches_run_at_once_within_the_concurrency_limit) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"CONCURRENT_REQUESTS", "3"}});
    Fetched fetched;
    std::size_t most_running = 0;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        std::vector<Deferred<Response>> fetches;
        for (int i = 0; i < 5; ++i)
            fetches.push_back(crawl.crawler->fetch(Request(home + "f" + std::to_string(i))));
        return gather_results(std::move(fetches)).add_callback([&](std::vector<Response> all) {
            for (auto& r : all) fetched.results.push_back(r.url + " " + std::to_string(r.status));
            return Outputs{};
        });
    };
    crawl.start();
    while (!crawl.reason && crawl.clock.seconds() < 10) {
        most_running = std::max(most_running, crawl.transport->running.size());
        crawl.clock.advance(Duration(0.05));
    }
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(most_running == 3u);  // CONCURRENT_REQUESTS
    BOOST_TEST(fetched.results.size() == 5u);
    BOOST_TEST(fetched.results.front() == "http://site.test/f0 404");
}

BOOST_AUTO_TEST_CASE(cancelling_an_inline_fetch_cancels_the_download) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    crawl.overrides[extra] = [](const Request&) {
        return std::optional<FakeTransport::Reply>();  // never answers
    };
    Fetched fetched;
    std::optional<Deferred<Response>> pending;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        pending = crawl.crawler->fetch(Request(extra));
        return fetched.record(*pending);
    };
    crawl.start();
    crawl.clock.advance(Duration(1.0));
    BOOST_REQUIRE(pending.has_value());
    BOOST_TEST(!crawl.reason.has_value());
    pending->cancel();
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.transport->aborted == std::vector<std::string>{extra});
    BOOST_TEST(fetched.results == std::vector<std::string>{"interloop::CancelledError"});
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
}

BOOST_AUTO_TEST_CASE(closing_the_spider_fails_pending_inline_fetches) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    crawl.overrides[extra] = [](const Request&) { return std::optional<FakeTransport::Reply>(); };
    std::optional<Failure> failure;
    crawl.crawler->signals().spider_opened.connect([&](Spider&) {
        crawl.crawler->fetch(Request(extra)).add_errback([&](const Failure& f) {
            failure = f;
            return Response(Request(extra));
        });
    });
    crawl.start();
    crawl.clock.advance(Duration(1.0));
    BOOST_TEST(!crawl.reason.has_value());  // the fetch keeps the spider open
    crawl.crawler->close_spider("cancelled");
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.reason.value_or("open") == "cancelled");
    BOOST_REQUIRE(failure.has_value());
    BOOST_TEST(failure->check<DownloadError>());
}

BOOST_AUTO_TEST_CASE(fetching_before_the_crawl_fails_at_once) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {});
    auto d = crawl.crawler->fetch(Request(extra));
    BOOST_TEST(d.called());
    d.add_errback([](const Failure& f) {
        BOOST_TEST(f.check<std::logic_error>());
        return Response(Request(extra));
    });
}

BOOST_AUTO_TEST_SUITE_END()
