// `co_await fetch(request)` in coroutine callbacks on the Clock: the inline response (any status)
// skips the scheduler and the dupefilter; download failures and the close's cancellation are
// thrown at the co_await; fetch_all runs transfers at once and fails with the first error.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "reactor/errors.hpp"
#include "reactor/timeout.hpp"
#include "spider/download_error.hpp"
#include "tests/spider/coroutine_testing.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";
const std::string extra = "http://site.test/extra";

/// A transfer the FakeTransport leaves running until the test ends it.
std::optional<FakeTransport::Reply> never_answer(const Request&) {
    return std::nullopt;
}

/// A transfer that fails with `reason`.
FakeTransport::Responder failing_with(DownloadErrorReason reason) {
    return [reason](const Request&) { return std::optional(FakeTransport::Reply{0, "", reason}); };
}

/// How many times `url` is in `urls`.
std::size_t count_of(const std::vector<std::string>& urls, const std::string& url) {
    return std::size_t(std::count(urls.begin(), urls.end(), url));
}

/// What a coroutine that catches a fetch's DownloadError saw: its reason, or "no error".
CallbackResult fetch_and_report(Spider& spider, std::string url) {
    std::string seen = "no error";
    try {
        co_await spider.fetch(Request(url));
    } catch (const DownloadError& error) {
        seen = std::string(to_string(error.reason()));
    }
    co_yield item("seen", seen);
}

/// A coroutine that lets a fetch's error escape.
CallbackResult fetch_uncaught(Spider& spider, std::string url) {
    co_await spider.fetch(Request(url));
    co_yield item("seen", "unreachable");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_fetch_coroutine)

BOOST_AUTO_TEST_CASE(an_awaited_fetch_skips_the_scheduler_and_the_dupefilter) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {extra, {200, "extra page"}}}, {},
                     Duration(0.125));
    std::vector<std::string> items;
    record_items(crawl, items, "seen");
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        Response fetched = co_await spider.fetch(Request(extra));
        co_yield item("seen", fetched.url + " " + fetched.body);
        Response again = co_await crawl.crawler->fetch(Request(page.url));  // crawled already
        co_yield item("seen", again.url + " " + again.body);
    };
    crawl.start();
    run_to(crawl, 0.375 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    run_to(crawl, 0.375);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 0.375);
    BOOST_TEST((items == std::vector<std::string>{extra + " extra page", home + " home"}));
    BOOST_TEST((crawl.transport->started_urls() == std::vector<std::string>{home, extra, home}));
    BOOST_TEST(crawl.stat("scheduler/enqueued") == 1);  // only the start request
    BOOST_TEST(crawl.stat("scheduler/dequeued") == 1);
    BOOST_TEST(crawl.stat("dupefilter/filtered") == 0);
    BOOST_TEST(crawl.stat("response_received_count") == 1);  // the fetches are the caller's
}

BOOST_AUTO_TEST_CASE(http_error_statuses_arrive_as_responses) {
    const std::string missing = home + "missing", broken = home + "broken";
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {missing, {404, "no"}}, {broken, {500, "x"}}});
    std::vector<std::string> items;
    record_items(crawl, items, "status");
    const std::vector<std::string> urls{missing, broken};
    spider.on_parse = [&](const Response&) -> CallbackResult {
        for (const std::string& url : urls) {
            Response r = co_await spider.fetch(Request(url));
            co_yield item("status", std::to_string(r.status));
        }
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST((items == std::vector<std::string>{"404", "500"}));
    BOOST_TEST(count_of(crawl.transport->started_urls(), broken) == 3u);  // 500 is retried
    BOOST_TEST(crawl.log.count("Spider error") == 0u);
}

BOOST_AUTO_TEST_CASE(a_connection_failure_is_a_catchable_download_error_and_uncaught_is_logged) {
    const std::string catches = home + "catches", throws = home + "throws";
    LambdaSpider spider({catches, throws, home});
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {catches, {200, ""}}, {throws, {200, ""}}});
    crawl.overrides[extra] = failing_with(DownloadErrorReason::connect);
    std::vector<std::string> items;
    record_items(crawl, items, "seen");
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        if (page.url == catches) return fetch_and_report(spider, extra);
        if (page.url == home) return Outputs{item("seen", "home")};
        return fetch_uncaught(spider, extra);
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    std::sort(items.begin(), items.end());
    BOOST_TEST((items == std::vector<std::string>{"connect", "home"}));
    BOOST_TEST(count_of(crawl.transport->started_urls(), extra) == 6u);  // 2 fetches, 2 retries
    BOOST_TEST(crawl.log.count("Spider error processing <GET " + throws + ">") == 1u);
    BOOST_TEST(crawl.log.count("Spider error") == 1u);
    BOOST_TEST(crawl.stat("spider_exceptions/interloop::spider::DownloadError") == 1);
}

BOOST_AUTO_TEST_CASE(a_timeout_is_a_catchable_download_error) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"RETRY_ENABLED", "False"}});
    crawl.overrides[extra] = failing_with(DownloadErrorReason::timeout);
    std::vector<std::string> items;
    record_items(crawl, items, "seen");
    spider.on_parse = [&](const Response&) { return fetch_and_report(spider, extra); };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(items == std::vector<std::string>{"timeout"});
    BOOST_TEST(crawl.log.count("Spider error") == 0u);
}

BOOST_AUTO_TEST_CASE(closing_the_spider_aborts_an_awaited_fetch_and_the_body_sees_it) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    crawl.overrides[extra] = never_answer;
    std::optional<DownloadErrorReason> seen;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        try {
            co_await spider.fetch(Request(extra));
        } catch (const DownloadError& error) {
            seen = error.reason();
            throw;
        }
        co_yield item("seen", "unreachable");
    };
    crawl.start();
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.transport->is_running(extra));
    BOOST_TEST(!crawl.reason.has_value());  // the awaited fetch keeps the spider open
    crawl.crawler->close_spider("stopped");
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.reason.value_or("open") == "stopped");
    BOOST_TEST(crawl.transport->aborted == std::vector<std::string>{extra});
    BOOST_TEST((seen == DownloadErrorReason::cancelled));
    BOOST_TEST(crawl.log.count("Spider error") == 0u);
    BOOST_TEST(crawl.stat("item_scraped_count") == 0);
}

BOOST_AUTO_TEST_CASE(fetch_all_runs_transfers_at_once_and_gives_responses_in_request_order) {
    const std::vector<std::string> urls{home + "a", home + "b", home + "c"};
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"CONCURRENT_REQUESTS", "3"}});
    for (const auto& url : urls) crawl.overrides[url] = never_answer;
    std::vector<std::string> items;
    record_items(crawl, items, "seen");
    spider.on_parse = [&](const Response&) -> CallbackResult {
        std::vector<Request> requests;
        for (const auto& url : urls) requests.emplace_back(url);
        std::vector<Response> all = co_await spider.fetch_all(std::move(requests));
        for (const Response& r : all) co_yield item("seen", r.url + " " + r.body);
    };
    crawl.start();
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.transport->running.size() == 3u);  // all three at once
    for (std::size_t i = urls.size(); i-- > 0;)         // answered last to first
        crawl.transport->succeed(urls[i], 200, std::to_string(i));
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST((items == std::vector<std::string>{urls[0] + " 0", urls[1] + " 1", urls[2] + " 2"}));
}

BOOST_AUTO_TEST_CASE(fetch_all_keeps_within_concurrent_requests) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"CONCURRENT_REQUESTS", "2"}},
                     Duration(0.125));
    std::size_t responses = 0;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        std::vector<Request> requests;
        for (int i = 0; i < 3; ++i) requests.emplace_back(home + std::to_string(i));
        responses = (co_await spider.fetch_all(std::move(requests))).size();
    };
    crawl.start();
    run_to(crawl, 0.125);
    BOOST_TEST(crawl.transport->running.size() == 2u);
    run_to(crawl, 0.375);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(responses == 3u);
    BOOST_TEST(crawl.closed_at == 0.375);  // the third waited for a place
}

BOOST_AUTO_TEST_CASE(a_failing_fetch_in_fetch_all_throws_its_error_and_cancels_the_others) {
    const std::string a = home + "a", b = home + "b", c = home + "c";
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"RETRY_ENABLED", "False"}});
    crawl.overrides[a] = never_answer;
    crawl.overrides[b] = failing_with(DownloadErrorReason::connect);
    crawl.overrides[c] = never_answer;
    std::vector<std::string> items;
    record_items(crawl, items, "seen");
    spider.on_parse = [&](const Response&) -> CallbackResult {
        std::vector<Request> requests;
        for (const std::string& url : {a, b, c}) requests.emplace_back(url);
        std::string seen = "no error";
        try {
            co_await spider.fetch_all(std::move(requests));
        } catch (const DownloadError& error) {
            seen = std::string(to_string(error.reason())) + " " + error.url();
        }
        co_yield item("seen", seen);
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(items == std::vector<std::string>{"connect " + b});
    std::vector<std::string> aborted = crawl.transport->aborted;
    std::sort(aborted.begin(), aborted.end());
    BOOST_TEST((aborted == std::vector<std::string>{a, c}));
    BOOST_TEST(crawl.transport->running.empty());
}

// ~Crawler closes the spider ("shutdown"): as after close_spider, the body should see the
// download cancelled (DownloadError "cancelled" or CancelledError), not a DroppedDeferredError
// logged as a spider error.
BOOST_AUTO_TEST_CASE(destroying_the_crawler_cancels_an_awaited_fetch_quietly) {
    LambdaSpider spider;
    auto crawl = std::make_unique<ClockCrawl>(spider, Pages{{home, {200, "home"}}});
    crawl->overrides[extra] = never_answer;
    std::string seen = "nothing";
    spider.on_parse = [&](const Response&) -> CallbackResult {
        try {
            co_await spider.fetch(Request(extra));
        } catch (const DownloadError& error) {
            seen = std::string(to_string(error.reason()));
            throw;
        } catch (const CancelledError&) {
            seen = "cancelled";
            throw;
        } catch (const std::exception& other) {
            seen = other.what();
            throw;
        }
    };
    crawl->start();
    run_to(*crawl, 1.0);
    BOOST_TEST(crawl->transport->is_running(extra));
    crawl->crawler.reset();
    BOOST_TEST(seen == "cancelled");
    BOOST_TEST(crawl->log.count("Spider error") == 0u);
    crawl->clock.advance(Duration(1.0));  // nothing left to run into freed memory
}

BOOST_AUTO_TEST_SUITE_END()
