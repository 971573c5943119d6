// Coroutine callbacks at the edges, found by review: the body resuming work from inside its
// own run, a second fetch during the close, the Crawler destroyed while coroutines await
// (which must neither crash, call into a half-destroyed Crawler, nor resume a dying frame), and
// two coroutines awaiting one Deferred.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/errors.hpp"
#include "reactor/timeout.hpp"
#include "spider/download_error.hpp"
#include "tests/spider/coroutine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";
const std::string slow = "http://site.test/slow";
const std::string mirror = "http://site.test/mirror";

/// The reason of the DownloadError `error` holds, or "other".
std::string reason_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const DownloadError& e) {
        return std::string(to_string(e.reason()));
    } catch (...) {
        return "other";
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_coroutine_edges)

// Releasing a held item from inside the body frees a CONCURRENT_ITEMS place while the body
// runs: the walk that follows must not resume the running body again.
BOOST_AUTO_TEST_CASE(a_place_freed_from_inside_the_running_body_does_not_resume_it_twice) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, {{"CONCURRENT_ITEMS", "2"}}, Duration(0.125));
    auto pipeline = std::make_unique<HoldingPipeline>();
    HoldingPipeline& held = *pipeline;
    crawl.crawler->add_pipeline(std::move(pipeline));
    std::vector<std::string> scraped;
    record_items(crawl, scraped, "n");
    spider.on_parse = [&](const Response&) -> CallbackResult {
        Item first = item("n", "first");
        co_yield std::move(first);  // held: one of the two places taken
        co_await defer_later(crawl.clock, Duration(1.0));
        held.release_one();  // fires the item's Deferred inside this run
        Item second = item("n", "second");
        co_yield std::move(second);
    };
    crawl.start();
    run_to(crawl, 1.125);
    BOOST_TEST(scraped == std::vector<std::string>{"first"});
    BOOST_TEST(held.in_flight() == 1u);  // the second
    held.release_one();
    run_to(crawl, 1.125 + tick);
    BOOST_TEST((scraped == std::vector<std::string>{"first", "second"}));
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
}

// A body that falls back to another download after the close cancelled its fetch gets a quiet
// DownloadError "cancelled" for the second one too: no spider error.
BOOST_AUTO_TEST_CASE(a_fetch_started_during_the_close_fails_at_once_without_an_error) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}}, {}, Duration(0.125));
    crawl.overrides[slow] = [](const Request&) { return std::optional<FakeTransport::Reply>(); };
    std::vector<std::string> seen;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        for (const std::string& url : {slow, mirror}) {
            std::exception_ptr error;
            try {
                co_await spider.fetch(Request(url));
            } catch (...) {
                error = std::current_exception();
            }
            seen.push_back(reason_of(error));
        }
        co_await spider.fetch(Request(mirror));  // uncaught: ends the body, quietly
    };
    crawl.clock.call_later(Duration(1.0), [&] { crawl.crawler->close_spider("enough"); });
    crawl.start();
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.reason.value_or("open") == "enough");
    BOOST_TEST((seen == std::vector<std::string>{"cancelled", "cancelled"}));
    BOOST_TEST(error_lines(crawl.log) == 0u);
    BOOST_TEST(crawl.stat("spider_exceptions/interloop::spider::DownloadError") == 0);
}

// ~Crawler while a coroutine awaits a fetch: the body's fallback fetch runs against a whole
// Crawler (it fails, "cancelled"), crawl()'s Deferred fires with "shutdown" after
// spider_closed, and a frame destroyed while it awaits a Deferred it holds the last handle of
// is not resumed by that Deferred's DroppedDeferredError.
BOOST_AUTO_TEST_CASE(destroying_the_crawler_lets_awaiting_coroutines_end_against_a_whole_crawler) {
    LambdaSpider spider({home, "http://site.test/2"});
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {"http://site.test/2", {200, "2"}}}, {},
                     Duration(0.125));
    crawl.overrides[slow] = [](const Request&) { return std::optional<FakeTransport::Reply>(); };
    std::vector<std::string> seen;
    bool closed_signal = false, resumed_after_drop = false;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        if (page.url == home) {
            std::exception_ptr error;
            try {
                co_await spider.fetch(Request(slow));
            } catch (...) {
                error = std::current_exception();
            }
            seen.push_back(reason_of(error));
            error = nullptr;
            try {
                co_await spider.fetch(Request(mirror));  // the fallback, during the shutdown
            } catch (...) {
                error = std::current_exception();
            }
            seen.push_back(reason_of(error));
            co_return;
        }
        Deferred<int> first;
        try {
            co_await first;  // cancelled by the shutdown (no canceller: CancelledError)
        } catch (const CancelledError&) {
            seen.push_back("cancelled first");
        }
        Deferred<int> only_here;  // this frame holds its last handle
        co_await only_here;
        resumed_after_drop = true;
    };
    crawl.crawler->signals().spider_closed.connect(
        [&](Spider&, std::string_view) { closed_signal = true; });
    crawl.start();
    run_to(crawl, 0.25);
    BOOST_TEST(crawl.transport->is_running(slow));
    crawl.crawler.reset();
    std::sort(seen.begin(), seen.end());  // the two coroutines end in either order
    BOOST_TEST((seen == std::vector<std::string>{"cancelled", "cancelled", "cancelled first"}));
    BOOST_TEST(!resumed_after_drop);
    BOOST_TEST(closed_signal);
    BOOST_TEST(crawl.reason.value_or("none") == "shutdown");
    BOOST_TEST(crawl.log.count("Unhandled error") == 0u);
    run_to(crawl, 2.0);  // nothing left to run into freed memory
}

// Awaiting takes the result out of the chain: a second coroutine awaiting the same Deferred
// gets a clear error (not a silent success, even for Deferred<void>).
BOOST_AUTO_TEST_CASE(a_second_coroutine_awaiting_the_same_deferred_gets_a_clear_error) {
    LambdaSpider spider({home, "http://site.test/2"});
    ClockCrawl crawl(spider, {{home, {200, "home"}}, {"http://site.test/2", {200, "2"}}}, {},
                     Duration(0.125));
    Deferred<void> shared;
    std::vector<std::string> seen;
    spider.on_parse = [&](const Response&) -> CallbackResult {
        std::string outcome = "value";
        try {
            co_await Deferred<void>(shared);
        } catch (const std::logic_error& error) {
            outcome = error.what();
        }
        seen.push_back(outcome);
    };
    crawl.clock.call_later(Duration(1.0), [&] { shared.callback(); });
    crawl.start();
    run_to(crawl, 1.0);
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(seen.size() == 2u);
    BOOST_TEST(std::count(seen.begin(), seen.end(), "value") == 1);
    BOOST_TEST(seen.back().find("taken by another waiter") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
