// The engine's retries and failure handling over real sockets, on every real reactor: the
// fixture server answers 503, cuts bodies off, stalls; a port refuses connections. The same
// failures reach a coroutine callback's inline fetches as exceptions it can catch.

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "spider/crawler.hpp"
#include "spider/download_error.hpp"
#include "tests/reactor/reactor_factories.hpp"
#include "tests/reactor/reactor_testing.hpp"
#include "tests/spider/engine_testing.hpp"
#include "tests/spider/fixture_server.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

BOOST_AUTO_TEST_SUITE(crawl_fixture)

BOOST_DATA_TEST_CASE(failures_are_retried_then_reach_the_errback_and_the_crawl_finishes,
                     boost::unit_test::data::make(reactor_factories()), factory) {
    LogCapture quiet;
    FixtureServer server;
    auto reactor = factory.make();
    const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    LambdaSpider spider({server.url("/status?code=503"), server.url("/partial"),
                         server.url("/slow?ms=3000"), refused, server.url("/ok")});
    Crawler crawler(*reactor, spider,
                    Settings{{"LOGSTATS_INTERVAL", "0"}, {"DOWNLOAD_TIMEOUT", "0.3"}});

    std::map<std::string, std::string> failed;  // URL -> DownloadError reason or status
    std::vector<std::string> parsed;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        parsed.push_back(page.url);
        return {};
    };
    // Scheduled by hand, to give each request an errback (start requests have none).
    const std::vector<std::string> urls = std::exchange(spider.start_urls, {});
    crawler.signals().spider_opened.connect([&](Spider&) {
        for (const std::string& url : urls) {
            Request request(url);
            request.dont_filter = true;
            request.errback = [&](const Failure& failure, const Request& r) -> CallbackResult {
                if (auto* error = failure.get<DownloadError>())
                    failed[r.url()] = std::string(to_string(error->reason()));
                else if (auto* http = failure.get<HttpError>())
                    failed[r.url()] = std::to_string(http->status());
                return {};
            };
            crawler.schedule(std::move(request));
        }
    });
    std::optional<std::string> reason;
    crawler.crawl().add_callback([&](const std::string& why) {
        reason = why;
        reactor->stop();
    });
    run_guarded(*reactor, std::chrono::seconds(30));

    BOOST_TEST(reason.value_or("still open") == "finished");
    BOOST_TEST(parsed == std::vector<std::string>{server.url("/ok")});
    BOOST_TEST(failed[server.url("/status?code=503")] == "503");
    BOOST_TEST(failed[server.url("/partial")] == "connection_lost");
    BOOST_TEST(failed[server.url("/slow?ms=3000")] == "timeout");
    BOOST_TEST(failed[refused] == "connect");
    auto hits = [&](std::string_view target) {
        auto seen = server.seen();
        return std::count_if(seen.begin(), seen.end(),
                             [&](const SeenRequest& r) { return r.target == target; });
    };
    // RETRY_TIMES = 2: three attempts for each retryable failure.
    BOOST_TEST(hits("/status?code=503") == 3);
    BOOST_TEST(hits("/partial") == 3);
    BOOST_TEST(hits("/slow?ms=3000") == 3);
    BOOST_TEST(hits("/ok") == 1);
    BOOST_TEST(crawler.stats().get_int("retry/count") == 8);
    BOOST_TEST(crawler.stats().get_int("retry/max_reached") == 4);
    server.stop();
}

namespace {

/// "status 404", or the DownloadError's reason: what an awaited fetch gave.
std::string outcome_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const DownloadError& e) {
        return std::string(to_string(e.reason()));
    } catch (const std::exception& e) {
        return e.what();
    }
}

/// Runs `spider` on `reactor` until it closes (30 s at most); the close reason.
std::optional<std::string> crawl_until_closed(Reactor& reactor, Crawler& crawler) {
    std::optional<std::string> reason;
    crawler.crawl().add_callback([&](const std::string& why) {
        reason = why;
        reactor.stop();
    });
    run_guarded(reactor, std::chrono::seconds(30));
    return reason;
}

}  // namespace

BOOST_DATA_TEST_CASE(a_coroutines_inline_fetches_report_statuses_and_failures,
                     boost::unit_test::data::make(reactor_factories()), factory) {
    LogCapture quiet;
    FixtureServer server;
    auto reactor = factory.make();
    const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    LambdaSpider spider({server.url("/ok")});
    Crawler crawler(*reactor, spider,
                    Settings{{"LOGSTATS_INTERVAL", "0"}, {"DOWNLOAD_TIMEOUT", "0.3"}});

    std::vector<std::string> seen;  // in the coroutine's order
    spider.on_parse = [&](const Response&) -> CallbackResult {
        for (const std::string& url :
             {server.url("/status?code=404"), refused, server.url("/slow?ms=3000")}) {
            try {
                Request request(url);
                Response response = co_await spider.fetch(std::move(request));
                seen.push_back("status " + std::to_string(response.status));
            } catch (...) {
                seen.push_back(outcome_of(std::current_exception()));
            }
        }
        std::vector<Request> three{Request(server.url("/ok?n=1")), Request(server.url("/ok?n=2")),
                                   Request(server.url("/ok?n=3"))};
        std::vector<Response> all = co_await spider.fetch_all(std::move(three));
        for (const Response& response : all) seen.push_back(response.url);
    };
    BOOST_TEST(crawl_until_closed(*reactor, crawler).value_or("still open") == "finished");
    BOOST_TEST(seen ==
               (std::vector<std::string>{"status 404", "connect", "timeout", server.url("/ok?n=1"),
                                         server.url("/ok?n=2"), server.url("/ok?n=3")}));
    BOOST_TEST(quiet.count("Spider error") == 0);  // every failure was caught in the body
    server.stop();
}

BOOST_DATA_TEST_CASE(closing_the_spider_aborts_the_inline_fetch_a_coroutine_awaits,
                     boost::unit_test::data::make(reactor_factories()), factory) {
    LogCapture quiet;
    FixtureServer server;
    auto reactor = factory.make();
    LambdaSpider spider({server.url("/ok")});
    Crawler crawler(*reactor, spider, Settings{{"LOGSTATS_INTERVAL", "0"}});
    std::optional<std::string> seen;
    double fetch_started = 0;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        fetch_started = reactor->seconds();
        try {
            Request request(server.url("/slow?ms=5000"));
            co_await spider.fetch(std::move(request));
            seen = "a response";
        } catch (...) {
            seen = outcome_of(std::current_exception());
        }
    };
    // The close comes while the coroutine awaits a reply the server holds back for 5 s.
    crawler.signals().response_received.connect([&](const Response&) {
        reactor->call_later(Duration(0.1), [&] { crawler.close_spider("enough"); });
    });
    BOOST_TEST(crawl_until_closed(*reactor, crawler).value_or("still open") == "enough");
    BOOST_TEST(seen.value_or("nothing") == "cancelled");
    BOOST_TEST(reactor->seconds() - fetch_started < 4.0);  // it did not wait for the reply
    BOOST_TEST(quiet.count("Spider error") == 0);
    server.stop();
}

BOOST_AUTO_TEST_SUITE_END()
