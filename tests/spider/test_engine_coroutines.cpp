// Coroutine callbacks on the Clock: outputs yielded one at a time, awaits that keep the spider
// open, and the close that follows the last of them.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "reactor/timeout.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";
const std::string later = "http://site.test/later";

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_coroutines)

// Scrapy's GSoC 2018 prototype closed the spider here: `parse` awaited a sleep with nothing
// else pending, then yielded a request.
BOOST_AUTO_TEST_CASE(a_callback_awaiting_a_timer_with_nothing_else_pending_keeps_the_spider_open) {
    LambdaSpider spider;
    // Latency and delays are binary fractions: the Clock lands on them exactly.
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {later, {200, "later"}}}, {},
                     Duration(0.125));
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

BOOST_AUTO_TEST_SUITE_END()
