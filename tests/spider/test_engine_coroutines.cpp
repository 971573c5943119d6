// Coroutine callbacks on the Clock: outputs processed as they are yielded (under
// CONCURRENT_ITEMS), awaits that keep the spider open, exceptions and CloseSpider, the close's
// cancellation of what they await, dropped and already-fired Deferreds, coroutine errbacks, the
// three callback styles in one spider. (spider_idle and the exact close after the last
// coroutine: test_engine_coroutines_idle.cpp.)

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/errors.hpp"
#include "reactor/timeout.hpp"
#include "spider/download_error.hpp"
#include "spider/errors.hpp"
#include "tests/spider/coroutine_testing.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";
const std::string later = "http://site.test/later";
const std::string slow = "http://site.test/slow";

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_coroutines)

// Scrapy's GSoC 2018 prototype closed the spider here: `parse` awaited a sleep with nothing
// else pending, then yielded a request.
BOOST_AUTO_TEST_CASE(a_callback_awaiting_a_timer_with_nothing_else_pending_keeps_the_spider_open) {
    LambdaSpider spider;
    // Latency and delays are binary fractions: the Clock lands on them exactly.
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {later, {200, "later"}}}, {}, Duration(0.125));
    std::vector<std::string> parsed;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        parsed.push_back(page.url);
        if (page.url != home) co_return;
        co_await defer_later(crawl.clock, Duration(3.0));
        co_yield Request(later);
    };
    crawl.start();
    crawl.clock.advance(Duration(0.125));  // home parsed; the coroutine sleeps
    BOOST_TEST(parsed == std::vector<std::string>{home});
    crawl.clock.advance(Duration(2.875));  // 3.0: nothing else pending, still open
    BOOST_TEST(!crawl.reason.has_value());
    crawl.clock.advance(Duration(0.125));  // 3.125: it wakes and yields the request
    BOOST_TEST(crawl.transport->is_running(later));
    BOOST_TEST(!crawl.reason.has_value());
    crawl.clock.advance(Duration(0.125));  // 3.25: the page is parsed; nothing is left
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST((parsed == std::vector<std::string>{home, later}));
    BOOST_TEST(crawl.closed_at == 3.25);
}

BOOST_AUTO_TEST_CASE(a_yielded_request_is_downloaded_while_the_coroutine_still_awaits) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {later, {200, "later"}}}, {}, Duration(0.125));
    std::vector<std::string> events;
    crawl.crawler->signals().response_received.connect(
        [&](const Response& r) { events.push_back("received " + r.url); });
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        if (page.url != home) co_return;
        co_yield Request(later);
        co_await defer_later(crawl.clock, Duration(1.0));
        events.push_back("resumed");
        co_yield item("done", true);
    };
    crawl.start();
    run_to(crawl, 0.125);  // home parsed: /later starts at once
    BOOST_TEST(crawl.transport->is_running(later));
    run_to(crawl, 1.125);
    BOOST_TEST(
        (events == std::vector<std::string>{"received " + home, "received " + later, "resumed"}));
    BOOST_REQUIRE(crawl.transport->started.size() == 2u);
    BOOST_TEST(crawl.transport->started[1].time == 0.125);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 1.125);
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_items_bounds_a_coroutines_items_and_the_body_waits_for_a_place) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"CONCURRENT_ITEMS", "2"}});
    auto pipeline = std::make_unique<HoldingPipeline>();
    HoldingPipeline& held = *pipeline;
    crawl.crawler->add_pipeline(std::move(pipeline));
    int produced = 0;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        for (int i = 0; i < 6; ++i) {
            ++produced;
            co_yield item("n", i);
        }
    };
    crawl.start();
    crawl.clock.advance(Duration(1.0));
    BOOST_TEST(held.in_flight() == 2u);
    BOOST_TEST(produced == 2);  // not resumed for the third item
    for (int released = 1; released <= 4; ++released) {
        held.release_one();
        BOOST_TEST(held.in_flight() == 2u);
        BOOST_TEST(produced == 2 + released);  // resumed once per freed place
    }
    BOOST_TEST(!crawl.reason.has_value());
    held.release_one();
    held.release_one();
    crawl.clock.advance(Duration(0));
    BOOST_TEST(held.max_in_flight == 2u);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("item_scraped_count") == 6);
}

BOOST_AUTO_TEST_CASE(an_exception_after_two_yields_keeps_the_items_and_is_logged_once) {
    const std::string bad = home + "bad", good = home + "good";
    LambdaSpider spider;
    ClockCrawl crawl(
        spider,
        {{home, {200, links_to({"/bad", "/good"})}}, {bad, {200, "bad"}}, {good, {200, "good"}}});
    std::vector<std::string> items, errors;
    record_items(crawl, items, "url");
    crawl.crawler->signals().spider_error.connect([&](const Failure& f, const Response* r) {
        errors.push_back(f.message() + " " + (r ? r->url : ""));
    });
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        if (page.url == home) {
            for (auto& href : page.css("a::attr(href)").getall()) co_yield page.follow(href);
            co_return;
        }
        co_yield item("url", page.url + " 1");
        co_yield item("url", page.url + " 2");
        co_await defer_later(crawl.clock, Duration(0.5));
        if (page.url == bad) throw std::runtime_error("parse failed");
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    std::sort(items.begin(), items.end());
    BOOST_TEST(
        (items == std::vector<std::string>{bad + " 1", bad + " 2", good + " 1", good + " 2"}));
    BOOST_TEST(crawl.stat("spider_exceptions/std::runtime_error") == 1);
    BOOST_TEST(crawl.log.count("Spider error processing <GET http://site.test/bad>") == 1u);
    BOOST_TEST(crawl.log.count("Spider error") == 1u);
    BOOST_TEST(errors == std::vector<std::string>{"parse failed " + bad});
    BOOST_TEST(crawl.stat("response_received_count") == 3);
}

// From a plain callback: engine_idle/close_spider_thrown_from_a_callback_closes_with_its_reason.
BOOST_AUTO_TEST_CASE(close_spider_from_a_coroutine_or_a_failed_deferred_closes_with_its_reason) {
    for (const std::string style : {"coroutine", "deferred"}) {
        BOOST_TEST_CONTEXT(style) {
            LambdaSpider spider({home, slow});
            ClockCrawl crawl(spider, {{home, {200, "home"}}}, {}, Duration(0.125));
            crawl.overrides[slow] = [](const Request&) {
                return std::optional<FakeTransport::Reply>();
            };
            if (style == "coroutine") {
                spider.on_parse = [&](const Response&) -> CallbackResult {
                    co_yield item("n", 1);
                    co_await defer_later(crawl.clock, Duration(1.0));
                    throw CloseSpider("enough");
                };
            } else {
                spider.on_parse = [&](const Response&) -> CallbackResult {
                    return defer_later(crawl.clock, Duration(1.0),
                                       []() -> Outputs { throw CloseSpider("enough"); });
                };
            }
            crawl.start();
            run_to(crawl, 1.125 - tick);
            BOOST_TEST(!crawl.reason.has_value());
            run_to(crawl, 1.125);
            BOOST_TEST(crawl.reason.value_or("open") == "enough");
            BOOST_TEST(crawl.closed_at == 1.125);
            BOOST_TEST(crawl.stat("item_scraped_count") == (style == "coroutine" ? 1 : 0));
            BOOST_TEST(crawl.transport->aborted == std::vector<std::string>{slow});
            BOOST_TEST(crawl.log.count("Spider error") == 0u);
            BOOST_TEST(crawl.stat("spider_exceptions/interloop::spider::CloseSpider") == 0);
        }
    }
}

// One coroutine lets the CancelledError escape (not logged while closing); one catches it and
// cleans up first, which the close waits for.
BOOST_AUTO_TEST_CASE(close_spider_cancels_what_coroutines_await_without_logging_an_error) {
    LambdaSpider spider({home, later});
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {later, {200, "later"}}});
    bool canceller_called = false, saw_cancelled = false;
    Deferred<int> never([&](Deferred<int>&) { canceller_called = true; }), never_either;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        bool cancelled = false;
        try {
            co_await (page.url == home ? never : never_either);
        } catch (const CancelledError&) {
            if (page.url == home) {
                saw_cancelled = true;
                throw;
            }
            cancelled = true;
        }
        co_await defer_later(crawl.clock, Duration(0.5));  // cleaning up
        co_yield item("cancelled", cancelled);
    };
    crawl.clock.call_later(Duration(1.0), [&] { crawl.crawler->close_spider("stopped by test"); });
    crawl.start();
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.crawler->close_reason().value_or("open") == "stopped by test");
    BOOST_TEST(canceller_called);
    BOOST_TEST(saw_cancelled);
    run_to(crawl, 1.5 - tick);
    BOOST_TEST(!crawl.reason.has_value());  // still cleaning up
    run_to(crawl, 1.5);
    BOOST_TEST(crawl.reason.value_or("open") == "stopped by test");
    BOOST_TEST(crawl.closed_at == 1.5);
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);  // the cleanup's
    BOOST_TEST(error_lines(crawl.log) == 0u);
}

BOOST_AUTO_TEST_CASE(a_deferred_dropped_unfired_by_its_producer_fails_the_await) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, {}, Duration(0.125));
    std::optional<Deferred<int>> producer;
    std::vector<std::string> items;
    record_items(crawl, items, "dropped");
    spider.on_parse = [&](const Response&) -> CallbackResult {
        producer.emplace();
        crawl.clock.call_later(Duration(1.0), [&] { producer.reset(); });
        bool dropped = false;
        try {
            co_await *producer;
        } catch (const DroppedDeferredError&) {
            dropped = true;
        }
        co_yield item("dropped", dropped);
    };
    crawl.start();
    run_to(crawl, 1.125 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    run_to(crawl, 1.125);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 1.125);
    BOOST_TEST(items == std::vector<std::string>{"true"});
    BOOST_TEST(error_lines(crawl.log) == 0u);
}

BOOST_AUTO_TEST_CASE(awaiting_fired_deferreds_does_not_suspend_nor_grow_the_stack) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, {}, Duration(0.125));
    bool turn_passed = false;
    std::vector<std::string> items;
    record_items(crawl, items, "sum");
    spider.on_parse = [&](const Response&) -> CallbackResult {
        crawl.clock.call_soon([&] { turn_passed = true; });
        std::int64_t sum = 0;
        for (int i = 0; i < 10000; ++i) {
            sum += co_await succeed(i);
            co_await succeed();
        }
        BOOST_TEST(!turn_passed);  // all inside the one call of the callback
        co_yield item("sum", sum);
    };
    crawl.start();
    crawl.clock.advance(Duration(0.125));
    BOOST_TEST(turn_passed);
    BOOST_TEST(items == std::vector<std::string>{"49995000"});
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 0.125);
}

BOOST_AUTO_TEST_CASE(the_three_callback_styles_mix_in_one_spider) {
    const std::string plain = home + "plain", deferred = home + "deferred",
                      coroutine = home + "coroutine";
    LambdaSpider spider;
    ClockCrawl crawl(
        spider,
        {{home, {200, "home"}}, {plain, {200, ""}}, {deferred, {200, ""}}, {coroutine, {200, ""}}},
        {}, Duration(0.125));
    std::vector<std::string> styles;
    record_items(crawl, styles, "style");
    spider.on_parse = [&](const Response&) -> CallbackResult {
        Request a(plain, [](const Response&) -> CallbackResult {
            return Outputs{Item{{"style", "plain"}}};
        });
        Request b(deferred, [&](const Response&) -> CallbackResult {
            return defer_later(crawl.clock, Duration(0.5), [] {
                return Outputs{Item{{"style", "deferred"}}};
            });
        });
        Request c(coroutine, [&](const Response&) -> CallbackResult {
            co_await defer_later(crawl.clock, Duration(0.25));
            co_yield item("style", "coroutine");
        });
        return Outputs{std::move(a), std::move(b), std::move(c)};
    };
    crawl.start();
    run_to(crawl, 0.75);
    BOOST_TEST((styles == std::vector<std::string>{"plain", "coroutine", "deferred"}));
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 0.75);
}

BOOST_AUTO_TEST_CASE(a_coroutine_errback_handles_a_server_error_and_a_failed_download) {
    const std::string broken = home + "broken", down = home + "down";
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {broken, {500, "oops"}}},
                     Settings{{"RETRY_ENABLED", "False"}}, Duration(0.125));
    crawl.overrides[down] = [](const Request&) {
        return std::optional(FakeTransport::Reply{0, "", DownloadErrorReason::connect});
    };
    std::vector<std::string> items;
    record_items(crawl, items, "seen");
    std::vector<std::string> parsed;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        parsed.push_back(page.url);
        Outputs out;
        for (const std::string& url : {broken, down}) {
            Request r(url);
            r.errback = [&](const Failure& failure, const Request& request) -> CallbackResult {
                co_await defer_later(crawl.clock, Duration(0.25));  // failure, request kept alive
                const bool http = failure.check<HttpError>();
                co_yield item("seen", (http ? "http error " : "download error ") + request.url());
            };
            out.push_back(std::move(r));
        }
        return out;
    };
    crawl.start();
    run_to(crawl, 0.5);
    BOOST_TEST(parsed == std::vector<std::string>{home});  // the failures went to the errback
    std::sort(items.begin(), items.end());
    BOOST_TEST(
        (items == std::vector<std::string>{"download error " + down, "http error " + broken}));
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 0.5);
}

BOOST_AUTO_TEST_CASE(awaiting_an_asio_awaitable_without_an_executor_is_a_spider_error) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    spider.on_parse = [&](const Response&) -> CallbackResult {
        co_await []() -> boost::asio::awaitable<int> { co_return 1; }();
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("spider_exceptions/std::logic_error") == 1);
    BOOST_TEST(crawl.log.count("the Crawler has no Asio executor") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
