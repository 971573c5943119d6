// The engine's idle rule on the Clock: the spider closes when, and only when, nothing is left —
// and in the same reactor turn as the check that finds nothing left.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "reactor/timeout.hpp"
#include "spider/errors.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";

/// A pipeline that holds every item until the test releases it.
class HoldingPipeline : public ItemPipeline {
public:
    ItemResult process_item(Item& item, const Response*) override {
        held.emplace_back(item.at("n").as_int64(), Deferred<void>());
        max_in_flight = std::max(max_in_flight, in_flight());
        return held.back().second;
    }
    std::size_t in_flight() const {
        std::size_t n = 0;
        for (const auto& [id, d] : held) n += !d.called();
        return n;
    }
    void release_one() {
        for (auto& [id, d] : held)
            if (!d.called()) return d.callback();
        BOOST_FAIL("nothing held");
    }
    std::vector<std::pair<std::int64_t, Deferred<void>>> held;
    std::size_t max_in_flight = 0;
};

Outputs numbered_items(int count) {
    Outputs out;
    for (int i = 0; i < count; ++i) out.emplace_back(Item{{"n", i}});
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_idle)

BOOST_AUTO_TEST_CASE(closes_finished_in_the_turn_after_the_last_response) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, links_to({"/a", "/b"})}},
                              {"http://site.test/a", {200, "a"}},
                              {"http://site.test/b", {200, "b"}}});
    spider.on_parse = [](const Response& page) -> CallbackResult {
        Outputs out;
        for (auto& href : page.css("a::attr(href)").getall()) out.push_back(page.follow(href));
        return out;
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    // Two rounds of downloads at 0.1 s each: the close happens at the second one's time.
    BOOST_TEST(crawl.closed_at == 0.2, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(crawl.stat("response_received_count") == 3);
    BOOST_TEST(crawl.crawler->stats().get_string("finish_reason") == "finished");
}

BOOST_AUTO_TEST_CASE(a_pending_deferred_callback_keeps_the_spider_open_until_it_fires) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    spider.on_parse = [&](const Response&) -> CallbackResult {
        return defer_later(crawl.clock, Duration(5.0), [] { return numbered_items(2); });
    };
    crawl.start();
    crawl.clock.advance(Duration(0.1));  // the response arrives; its callback waits 5 s
    crawl.clock.advance(Duration(4.999));
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(crawl.stat("item_scraped_count") == 0);
    crawl.clock.advance(Duration(0.001));  // the Deferred fires: items, then the close
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("item_scraped_count") == 2);
}

BOOST_AUTO_TEST_CASE(an_item_in_a_pipeline_keeps_the_spider_open_until_it_is_done) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    auto pipeline = std::make_unique<HoldingPipeline>();
    HoldingPipeline& held = *pipeline;
    crawl.crawler->add_pipeline(std::move(pipeline));
    spider.on_parse = [](const Response&) -> CallbackResult { return numbered_items(1); };
    crawl.start();
    crawl.clock.advance(Duration(10.0));
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(held.in_flight() == 1u);
    held.release_one();
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);
}

BOOST_AUTO_TEST_CASE(at_most_concurrent_items_of_one_response_are_in_the_pipelines) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"CONCURRENT_ITEMS", "3"}});
    auto pipeline = std::make_unique<HoldingPipeline>();
    HoldingPipeline& held = *pipeline;
    crawl.crawler->add_pipeline(std::move(pipeline));
    spider.on_parse = [](const Response&) -> CallbackResult { return numbered_items(10); };
    crawl.start();
    crawl.clock.advance(Duration(1.0));
    BOOST_TEST(held.in_flight() == 3u);
    for (int released = 0; released < 10; ++released) {
        held.release_one();
        crawl.clock.advance(Duration(0));
        BOOST_TEST(held.in_flight() <= 3u);
    }
    BOOST_TEST(held.max_in_flight == 3u);
    BOOST_TEST(held.held.size() == 10u);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    // Items enter the pipelines in the order the callback produced them.
    for (std::size_t i = 0; i < held.held.size(); ++i)
        BOOST_TEST(held.held[i].first == std::int64_t(i));
}

BOOST_AUTO_TEST_CASE(spider_idle_handlers_can_add_work) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {"http://site.test/more", {200, "more"}}});
    int idle_calls = 0;
    crawl.crawler->signals().spider_idle.connect([&](Spider&) {
        if (++idle_calls == 1) crawl.crawler->schedule(Request("http://site.test/more"));
    });
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(idle_calls == 2);
    BOOST_TEST(crawl.stat("response_received_count") == 2);
}

BOOST_AUTO_TEST_CASE(work_from_spider_idle_that_the_dupefilter_drops_does_not_keep_it_open) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    int idle_calls = 0;
    crawl.crawler->signals().spider_idle.connect([&](Spider&) {
        ++idle_calls;
        crawl.crawler->schedule(Request(home));  // seen already: filtered
    });
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(idle_calls == 1);
    BOOST_TEST(crawl.closed_at == 0.1, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(dont_close_spider_keeps_it_open_and_idle_is_asked_again) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, Settings{{"IDLE_RECHECK_INTERVAL", "2"}});
    std::vector<double> idle_times;
    crawl.crawler->signals().spider_idle.connect([&](Spider&) {
        idle_times.push_back(crawl.clock.seconds());
        if (idle_times.size() < 3) throw DontCloseSpider();
    });
    crawl.start();
    crawl.run_until_closed(20.0);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_REQUIRE(idle_times.size() == 3u);
    // Within one step (0.05 s) of run_until_closed.
    BOOST_TEST(idle_times[1] - idle_times[0] == 2.0, boost::test_tools::tolerance(0.03));
    BOOST_TEST(idle_times[2] - idle_times[1] == 2.0, boost::test_tools::tolerance(0.03));
}

BOOST_AUTO_TEST_CASE(close_spider_cancels_pending_callbacks_and_records_the_reason) {
    LambdaSpider spider({"http://site.test/1", "http://site.test/2"});
    ClockCrawl crawl(spider, {{"http://site.test/1", {200, "1"}}});
    crawl.overrides["http://site.test/2"] = [](const Request&) {
        return std::optional<FakeTransport::Reply>();  // never answers
    };
    Deferred<Outputs> never;
    spider.on_parse = [&](const Response&) -> CallbackResult { return never; };
    std::vector<std::string> closed_reasons;
    crawl.crawler->signals().spider_closed.connect(
        [&](Spider&, std::string_view why) { closed_reasons.emplace_back(why); });
    crawl.start();
    crawl.clock.advance(Duration(1.0));
    BOOST_TEST(!crawl.reason.has_value());
    crawl.crawler->close_spider("cancelled");
    crawl.clock.advance(Duration(0));
    BOOST_TEST(crawl.reason.value_or("open") == "cancelled");
    BOOST_TEST(never.called());                         // cancelled
    BOOST_TEST(crawl.transport->aborted.size() == 1u);  // the download of /2
    BOOST_TEST(closed_reasons == std::vector<std::string>{"cancelled"});
    BOOST_TEST(crawl.crawler->stats().get_string("finish_reason") == "cancelled");
    BOOST_TEST(crawl.log.count("Spider error") == 0u);
}

BOOST_AUTO_TEST_CASE(close_spider_thrown_from_a_callback_closes_with_its_reason) {
    LambdaSpider spider;
    ClockCrawl crawl(spider,
                     {{home, {200, links_to({"/a", "/b", "/c"})}},
                      {"http://site.test/a", {200, ""}},
                      {"http://site.test/b", {200, ""}},
                      {"http://site.test/c", {200, ""}}},
                     Settings{{"CONCURRENT_REQUESTS", "1"}});
    int parsed = 0;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        if (++parsed == 2) throw CloseSpider("enough");
        Outputs out;
        for (auto& href : page.css("a::attr(href)").getall()) out.push_back(page.follow(href));
        return out;
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "enough");
    BOOST_TEST(parsed == 2);
    BOOST_TEST(crawl.stat("response_received_count") == 2);
}

BOOST_AUTO_TEST_CASE(signals_arrive_in_order) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    spider.on_parse = [](const Response&) -> CallbackResult { return numbered_items(1); };
    std::vector<std::string> seen;
    auto& s = crawl.crawler->signals();
    s.engine_started.connect([&] { seen.push_back("engine_started"); });
    s.spider_opened.connect([&](Spider&) { seen.push_back("spider_opened"); });
    s.request_scheduled.connect([&](const Request&) { seen.push_back("request_scheduled"); });
    s.response_received.connect([&](const Response&) { seen.push_back("response_received"); });
    s.item_scraped.connect([&](const Item&, const Response* r) {
        seen.push_back(r ? "item_scraped" : "item_scraped without response");
    });
    s.spider_idle.connect([&](Spider&) { seen.push_back("spider_idle"); });
    s.spider_closed.connect([&](Spider&, std::string_view) { seen.push_back("spider_closed"); });
    s.engine_stopped.connect([&] { seen.push_back("engine_stopped"); });
    crawl.start();
    crawl.run_until_closed();
    std::vector<std::string> expected{"engine_started",    "spider_opened", "request_scheduled",
                                      "response_received", "item_scraped",  "spider_idle",
                                      "spider_closed",     "engine_stopped"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
