// Coroutine callbacks and spider_idle on the Clock: a coroutine that sleeps after spider_idle
// scheduled its request, or past the idle recheck of a spider kept open with DontCloseSpider,
// keeps the spider open (and not idle) until it ends; the spider closes at the very tick the last
// coroutine ends and leaves no timer behind.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "reactor/timeout.hpp"
#include "spider/errors.hpp"
#include "tests/spider/coroutine_testing.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";
const std::string more = "http://site.test/more";

/// The home page and /more.
Pages home_and_more() {
    return {{home, {200, "home"}}, {more, {200, "more"}}};
}

/// Makes `spider` parse /more by sleeping 5 s, then yielding one item; other pages yield nothing.
void sleep_on_more(LambdaSpider& spider, ClockCrawl& crawl) {
    spider.on_parse = [&crawl](const Response& page) -> CallbackResult {
        if (page.url != more) co_return;
        co_await defer_later(crawl.clock, Duration(5.0));
        co_yield item("n", 1);
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_coroutines_idle)

BOOST_AUTO_TEST_CASE(work_scheduled_by_spider_idle_whose_coroutine_sleeps_keeps_the_spider_open) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, home_and_more(), Settings{{"IDLE_RECHECK_INTERVAL", "2"}},
                     Duration(0.125));
    std::vector<double> idle_times;
    crawl.crawler->signals().spider_idle.connect([&](Spider&) {
        idle_times.push_back(crawl.clock.seconds());
        if (idle_times.size() == 1) crawl.crawler->schedule(Request(more));
    });
    sleep_on_more(spider, crawl);
    crawl.start();
    // 0.125: home parsed, idle, /more scheduled; 0.25: /more parsed, its coroutine sleeps 5 s.
    run_to(crawl, 5.25 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(idle_times == std::vector<double>{0.125});  // not idle while it sleeps
    run_to(crawl, 5.25);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 5.25);
    BOOST_TEST((idle_times == std::vector<double>{0.125, 5.25}));
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);
}

BOOST_AUTO_TEST_CASE(a_coroutine_sleeping_past_the_idle_recheck_keeps_a_dont_close_spider_open) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, home_and_more(), Settings{{"IDLE_RECHECK_INTERVAL", "2"}},
                     Duration(0.125));
    std::vector<double> idle_times;
    crawl.crawler->signals().spider_idle.connect([&](Spider&) {
        idle_times.push_back(crawl.clock.seconds());
        if (idle_times.size() == 1) throw DontCloseSpider();
    });
    // Recheck due at 2.125; the coroutine sleeps from 1.125 to 6.125.
    crawl.clock.call_later(Duration(1.0), [&] { crawl.crawler->schedule(Request(more)); });
    sleep_on_more(spider, crawl);
    crawl.start();
    run_to(crawl, 6.125 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(idle_times == std::vector<double>{0.125});  // the recheck found it busy
    run_to(crawl, 6.125);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 6.125);
    BOOST_TEST((idle_times == std::vector<double>{0.125, 6.125}));
}

BOOST_AUTO_TEST_CASE(the_spider_closes_at_the_tick_the_last_coroutine_ends_and_leaves_no_timer) {
    const std::string a = home + "a", b = home + "b";
    LambdaSpider spider({a, b});
    ClockCrawl crawl(spider, {{a, {200, "a"}}, {b, {200, "b"}}}, {}, Duration(0.125));
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        co_await defer_later(crawl.clock, Duration(page.url == a ? 0.75 : 0.5));
        co_yield item("url", page.url);
    };
    crawl.start();
    run_to(crawl, 0.875 - tick);
    BOOST_TEST(!crawl.reason.has_value());
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);  // b's
    run_to(crawl, 0.875);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.closed_at == 0.875);
    BOOST_TEST(crawl.clock.pending_calls().empty());
}

BOOST_AUTO_TEST_SUITE_END()
