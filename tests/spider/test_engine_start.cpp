// Async start() on the Clock (Scrapy 2.13's `async def start`): a coroutine that awaits before
// and between its outputs keeps the spider open, is read lazily as the downloads allow, sends
// its items to the pipelines, and fails or is cancelled without losing what it yielded.

#include <boost/test/unit_test.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/errors.hpp"
#include "reactor/timeout.hpp"
#include "spider/errors.hpp"
#include "tests/spider/coroutine_testing.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string one = "http://site.test/1";
const std::string two = "http://site.test/2";
const std::string three = "http://site.test/3";

/// A spider whose `start()` is a lambda (set before the crawl) and that has no start URLs.
class StartSpider : public LambdaSpider {
public:
    StartSpider() : LambdaSpider(std::vector<std::string>{}) {}
    std::function<OutputStream()> on_start;
    OutputStream start() override { return on_start(); }
};

/// The three pages.
Pages three_pages() {
    return {{one, {200, "1"}}, {two, {200, "2"}}, {three, {200, "3"}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_start)

BOOST_AUTO_TEST_CASE(a_start_awaiting_before_its_first_request_keeps_the_spider_open) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages(), {}, Duration(0.125));
    int idle_calls = 0;
    crawl.crawler->signals().spider_idle.connect([&](Spider&) { ++idle_calls; });
    spider.on_start = [&]() -> OutputStream {
        co_await defer_later(crawl.clock, Duration(2.0));
        co_yield Request(one);
    };
    crawl.start();
    run_to(crawl, 2.0 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(crawl.transport->started.empty());
    BOOST_TEST(idle_calls == 0);  // an unfinished start is work
    run_to(crawl, 2.0);
    BOOST_TEST(crawl.transport->is_running(one));
    run_to(crawl, 2.125);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 2.125);
    BOOST_TEST(idle_calls == 1);
    BOOST_TEST(crawl.stat("response_received_count") == 1);
}

BOOST_AUTO_TEST_CASE(start_is_read_lazily_as_the_concurrency_limit_allows) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages(), Settings{{"CONCURRENT_REQUESTS", "1"}},
                     Duration(0.125));
    std::vector<std::string> events;
    const std::vector<std::string> urls{one, two, three};
    spider.on_start = [&]() -> OutputStream {
        for (const std::string& url : urls) {
            events.push_back("start yields " + url);
            co_yield Request(url);
        }
        events.push_back("start ends");
    };
    auto& signals = crawl.crawler->signals();
    signals.request_scheduled.connect(
        [&](const Request& r) { events.push_back("scheduled " + r.url()); });
    signals.response_received.connect(
        [&](const Response& r) { events.push_back("received " + r.url); });
    crawl.start();
    run_to(crawl, 0.375);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    const std::vector<std::string> expected{
        "start yields " + one, "scheduled " + one, "received " + one,       "start yields " + two,
        "scheduled " + two,    "received " + two,  "start yields " + three, "scheduled " + three,
        "received " + three,   "start ends"};
    BOOST_TEST(events == expected, boost::test_tools::per_element());
    BOOST_REQUIRE(crawl.transport->started.size() == 3u);
    BOOST_TEST(crawl.transport->started[1].time == 0.125);
    BOOST_TEST(crawl.transport->started[2].time == 0.25);
}

// Scrapy #7029: an item yielded from start must count as in progress until its pipelines end.
BOOST_AUTO_TEST_CASE(items_from_start_go_through_the_pipelines_and_keep_the_spider_open) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages());
    auto pipeline = std::make_unique<HoldingPipeline>();
    HoldingPipeline& held = *pipeline;
    crawl.crawler->add_pipeline(std::move(pipeline));
    std::vector<std::string> scraped;
    crawl.crawler->signals().item_scraped.connect([&](const Item& it, const Response* r) {
        scraped.push_back(std::to_string(it.at("n").as_int64()) + (r ? " with" : " without"));
    });
    spider.on_start = [&]() -> OutputStream {
        co_yield item("n", 0);
        co_yield Request(one);
        co_yield item("n", 1);
    };
    crawl.start();
    run_to(crawl, 10.0);
    BOOST_TEST(!crawl.reason.has_value());  // both items still in the pipeline
    BOOST_TEST(held.held.size() == 2u);
    BOOST_TEST(held.with_response == 0);
    BOOST_TEST(crawl.stat("response_received_count") == 1);
    held.release_one();
    crawl.clock.advance(Duration(0));
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);
    held.release_one();
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("item_scraped_count") == 2);
    BOOST_TEST((scraped == std::vector<std::string>{"0 without", "1 without"}));
}

BOOST_AUTO_TEST_CASE(a_start_that_throws_after_two_requests_closes_with_start_error) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages());
    spider.on_start = [&]() -> OutputStream {
        co_yield Request(one);
        co_yield Request(two);
        throw std::runtime_error("start broke");
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "start_error");
    BOOST_TEST(crawl.stat("response_received_count") == 2);  // both crawled
    BOOST_TEST(crawl.log.count("Error while reading start requests") == 1u);
    BOOST_TEST(crawl.log.count("start broke") == 1u);
    BOOST_TEST(crawl.stat("spider_exceptions/std::runtime_error") == 1);
}

BOOST_AUTO_TEST_CASE(a_start_that_throws_before_its_first_suspension_closes_with_start_error) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages());
    spider.on_start = []() -> OutputStream { throw std::invalid_argument("no start at all"); };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "start_error");
    BOOST_TEST(crawl.log.count("Error while reading start requests") == 1u);
    BOOST_TEST(crawl.stat("spider_exceptions/std::invalid_argument") == 1);
}

BOOST_AUTO_TEST_CASE(close_spider_thrown_from_start_closes_with_its_reason) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages(), {}, Duration(0.125));
    spider.on_start = [&]() -> OutputStream {
        co_yield Request(one);
        co_await defer_later(crawl.clock, Duration(1.0));
        throw CloseSpider("start says stop");
    };
    crawl.start();
    run_to(crawl, 1.0 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(crawl.stat("response_received_count") == 1);
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.reason.value_or("open") == "start says stop");
    BOOST_TEST(crawl.closed_at == 1.0);
    BOOST_TEST(crawl.log.count("Error while reading start requests") == 0u);
    BOOST_TEST(error_lines(crawl.log) == 0u);
}

BOOST_AUTO_TEST_CASE(close_spider_while_start_awaits_cancels_what_it_awaits) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages(), {}, Duration(0.125));
    bool canceller_called = false, saw_cancelled = false;
    Deferred<void> never([&](Deferred<void>&) { canceller_called = true; });
    spider.on_start = [&]() -> OutputStream {
        co_yield Request(one);
        try {
            co_await never;
        } catch (const CancelledError&) {
            saw_cancelled = true;
            throw;
        }
        co_yield Request(two);
    };
    crawl.clock.call_later(Duration(1.0), [&] { crawl.crawler->close_spider("stopped"); });
    crawl.start();
    run_to(crawl, 1.0 - tick);
    BOOST_TEST(!crawl.reason.has_value());  // the awaiting start keeps it open
    BOOST_TEST(!canceller_called);
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.reason.value_or("open") == "stopped");
    BOOST_TEST(crawl.closed_at == 1.0);
    BOOST_TEST(canceller_called);
    BOOST_TEST(saw_cancelled);
    BOOST_TEST(crawl.transport->started_urls() == std::vector<std::string>{one});
    BOOST_TEST(error_lines(crawl.log) == 0u);
}

// start() is not destroyed mid-flight by the close: it may clean up (await more) after the
// cancellation; its items still reach the pipelines, its requests are dropped, and the close
// waits for it to end.
BOOST_AUTO_TEST_CASE(a_start_cleaning_up_after_the_close_is_waited_for) {
    StartSpider spider;
    ClockCrawl crawl(spider, three_pages(), {}, Duration(0.125));
    std::vector<std::string> scraped;
    record_items(crawl, scraped, "start");
    Deferred<void> never;
    spider.on_start = [&]() -> OutputStream {
        co_yield Request(one);
        bool cancelled = false;
        try {
            co_await never;
        } catch (const CancelledError&) {
            cancelled = true;
        }
        co_await defer_later(crawl.clock, Duration(0.5));  // cleaning up
        co_yield Request(two);                             // dropped: the spider is closing
        Item last = item("start", cancelled ? "cleaned up" : "not cancelled");
        co_yield std::move(last);
    };
    crawl.clock.call_later(Duration(1.0), [&] { crawl.crawler->close_spider("stopped"); });
    crawl.start();
    run_to(crawl, 1.5 - tick);
    BOOST_TEST(!crawl.reason.has_value());  // the close waits for start() to end
    run_to(crawl, 1.5);
    BOOST_TEST(crawl.reason.value_or("open") == "stopped");
    BOOST_TEST(crawl.closed_at == 1.5);
    BOOST_TEST(scraped == std::vector<std::string>{"cleaned up"});
    BOOST_TEST(crawl.transport->started_urls() == std::vector<std::string>{one});
    BOOST_TEST(error_lines(crawl.log) == 0u);
}

BOOST_AUTO_TEST_CASE(destroying_the_crawler_while_start_and_a_callback_await_frees_them) {
    StartSpider spider;
    auto crawl = std::make_unique<ClockCrawl>(spider, three_pages());
    int start_cancelled = 0, parse_cancelled = 0, resumed_after_destruction = 0;
    spider.on_start = [&]() -> OutputStream {
        co_yield Request(one);
        try {
            co_await defer_later(crawl->clock, Duration(100.0));
        } catch (const CancelledError&) {
            ++start_cancelled;
        }
        co_await defer_later(crawl->clock, Duration(1.0));  // suspended when destroyed
        ++resumed_after_destruction;
    };
    spider.on_parse = [&](const Response&) -> CallbackResult {
        try {
            co_await defer_later(crawl->clock, Duration(5.0));
        } catch (const CancelledError&) {
            ++parse_cancelled;
        }
        co_await defer_later(crawl->clock, Duration(1.0));  // suspended when destroyed
        ++resumed_after_destruction;
        co_yield Request(two);
    };
    crawl->start();
    run_to(*crawl, 1.0);
    crawl->crawler.reset();
    BOOST_TEST(start_cancelled == 1);
    BOOST_TEST(parse_cancelled == 1);
    crawl->clock.advance(Duration(10.0));  // the timers they awaited fire into nothing
    BOOST_TEST(resumed_after_destruction == 0);
    BOOST_TEST(crawl->log.count("Spider error") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
