// The engine on the Clock when things go wrong: exceptions in callbacks, failed downloads,
// errbacks, HTTP errors, retries, dropped items — logged, counted, and the crawl goes on.

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "spider/download_error.hpp"
#include "spider/errors.hpp"
#include "tests/spider/engine_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

const std::string home = "http://site.test/";

CallbackResult follow_all(const Response& page) {
    Outputs out;
    for (auto& href : page.css("a::attr(href)").getall()) out.push_back(page.follow(href));
    out.emplace_back(Item{{"url", page.url}});
    return out;
}

class DropOdd : public ItemPipeline {
public:
    ItemResult process_item(Item& item, const Response*) override {
        if (item.at("n").as_int64() % 2) throw DropItem("odd");
        if (item.at("n").as_int64() == 4) throw std::runtime_error("four is broken");
        return {};
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_errors)

BOOST_AUTO_TEST_CASE(an_exception_in_a_callback_is_logged_counted_and_the_crawl_goes_on) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, links_to({"/bad", "/good"})}},
                              {"http://site.test/bad", {200, "bad"}},
                              {"http://site.test/good", {200, "good"}}});
    std::vector<std::string> errors;
    crawl.crawler->signals().spider_error.connect([&](const Failure& f, const Response* r) {
        errors.push_back(f.message() + (r ? r->url : ""));
    });
    spider.on_parse = [](const Response& page) -> CallbackResult {
        if (page.url.ends_with("/bad")) throw std::runtime_error("parse failed");
        return follow_all(page);
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("spider_exceptions/std::runtime_error") == 1);
    BOOST_TEST(crawl.stat("item_scraped_count") == 2);  // home and good
    BOOST_TEST(errors == std::vector<std::string>{"parse failedhttp://site.test/bad"});
    BOOST_TEST(crawl.log.count("Spider error processing <GET http://site.test/bad>") == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_deferred_callback_counts_like_an_exception) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    spider.on_parse = [](const Response&) -> CallbackResult {
        return fail<Outputs>(Failure::from(std::invalid_argument("later")));
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("spider_exceptions/std::invalid_argument") == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_download_goes_to_the_errback_whose_outputs_are_processed) {
    LambdaSpider spider(std::vector<std::string>{});
    ClockCrawl crawl(spider, {});
    crawl.overrides[home] = [](const Request&) {
        return std::optional(FakeTransport::Reply{0, "", DownloadErrorReason::connect});
    };
    std::string failed_url;
    Request start(home);
    start.errback = [&](const Failure& failure, const Request& request) -> CallbackResult {
        BOOST_TEST(failure.check<DownloadError>());
        failed_url = request.url();
        return Outputs{Item{{"failed", request.url()}}};
    };
    crawl.crawler->signals().spider_opened.connect(
        [&](Spider&) { crawl.crawler->schedule(start); });
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(failed_url == home);
    BOOST_TEST(crawl.stat("item_scraped_count") == 1);
    // Retried twice first (RETRY_TIMES = 2), as a connection failure is transient.
    BOOST_TEST(crawl.transport->started.size() == 3u);
    BOOST_TEST(crawl.stat("retry/count") == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_download_without_errback_is_logged_and_counted) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {}, Settings{{"RETRY_ENABLED", "False"}});
    crawl.overrides[home] = [](const Request&) {
        return std::optional(FakeTransport::Reply{0, "", DownloadErrorReason::dns});
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.log.count("Error downloading <GET http://site.test/>") == 1u);
    BOOST_TEST(crawl.stat("downloader/exception_count") == 1);
    BOOST_TEST(crawl.stat("downloader/exception_type_count/dns") == 1);
}

BOOST_AUTO_TEST_CASE(unhandled_statuses_skip_the_callback_and_reach_the_errback) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, links_to({"/missing", "/handled", "/to-errback"})}}});
    std::vector<std::string> parsed;
    int errback_status = 0;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        parsed.push_back(page.url);
        if (page.url != home) return {};
        Outputs out{page.follow("/missing"), page.follow("/handled")};
        out.push_back(page.follow("/handled"));
        std::get<Request>(out.back()).meta.set("handle_httpstatus_list", std::vector<int>{404});
        std::get<Request>(out.back()).dont_filter = true;
        Request to_errback = page.follow("/to-errback");
        to_errback.errback = [&](const Failure& failure, const Request&) -> CallbackResult {
            if (auto* error = failure.get<HttpError>()) errback_status = error->status();
            return {};
        };
        out.push_back(std::move(to_errback));
        return out;
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(parsed == (std::vector<std::string>{home, "http://site.test/handled"}));
    BOOST_TEST(errback_status == 404);
    BOOST_TEST(crawl.stat("httperror/response_ignored_count") == 3);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_up_to_the_limit) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, links_to({"/flaky", "/down"})}},
                              {"http://site.test/down", {503, "down"}}});
    int flaky_calls = 0;
    crawl.overrides["http://site.test/flaky"] = [&](const Request&) {
        return std::optional(FakeTransport::Reply{++flaky_calls < 3 ? 500 : 200, "ok", {}});
    };
    std::vector<std::string> parsed;
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        parsed.push_back(page.url);
        return page.url == home ? follow_all(page) : CallbackResult();
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(flaky_calls == 3);
    BOOST_TEST(std::count(parsed.begin(), parsed.end(), "http://site.test/flaky") == 1);
    BOOST_TEST(std::count(parsed.begin(), parsed.end(), "http://site.test/down") == 0);
    BOOST_TEST(crawl.stat("retry/count") == 4);  // 2 for flaky, 2 for down
    BOOST_TEST(crawl.stat("retry/max_reached") == 1);
}

BOOST_AUTO_TEST_CASE(dropped_and_failed_items_are_counted_and_the_rest_scraped) {
    LambdaSpider spider;
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    crawl.crawler->add_pipeline(std::make_unique<DropOdd>());
    std::vector<std::int64_t> scraped, dropped;
    crawl.crawler->signals().item_scraped.connect(
        [&](const Item& item, const Response*) { scraped.push_back(item.at("n").as_int64()); });
    crawl.crawler->signals().item_dropped.connect(
        [&](const Item& item, const Response*, std::string_view reason) {
            BOOST_TEST(reason == "odd");
            dropped.push_back(item.at("n").as_int64());
        });
    spider.on_parse = [](const Response&) -> CallbackResult {
        Outputs out;
        for (int i = 0; i < 6; ++i) out.emplace_back(Item{{"n", i}});
        return out;
    };
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(scraped == (std::vector<std::int64_t>{0, 2}));
    BOOST_TEST(dropped == (std::vector<std::int64_t>{1, 3, 5}));
    BOOST_TEST(crawl.stat("item_dropped_count") == 3);
    BOOST_TEST(crawl.stat("item_error_count") == 1);
    BOOST_TEST(crawl.stat("item_scraped_count") == 2);
}

BOOST_AUTO_TEST_CASE(depth_limit_offsite_and_bad_links_are_filtered_and_counted) {
    LambdaSpider spider;
    spider.allowed_domains = {"site.test"};
    ClockCrawl crawl(spider,
                     {{home, {200, links_to({"/1", "http://other.test/x"})}},
                      {"http://site.test/1", {200, links_to({"/2"})}},
                      {"http://site.test/2", {200, links_to({"/3"})}}},
                     Settings{{"DEPTH_LIMIT", "2"}});
    spider.on_parse = follow_all;
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.transport->started_urls() ==
               (std::vector<std::string>{home, "http://site.test/1", "http://site.test/2"}));
    BOOST_TEST(crawl.stat("offsite/filtered") == 1);
    BOOST_TEST(crawl.stat("request_depth_max") == 2);
}

BOOST_AUTO_TEST_CASE(a_malformed_start_url_is_counted_and_the_others_crawled) {
    LambdaSpider spider({"not a url", "ftp://site.test/", home});
    ClockCrawl crawl(spider, {{home, {200, "home"}}});
    crawl.start();
    crawl.run_until_closed();
    BOOST_TEST(crawl.reason.value_or("open") == "finished");
    BOOST_TEST(crawl.stat("start_requests/invalid_url") == 2);
    BOOST_TEST(crawl.stat("response_received_count") == 1);
}

BOOST_AUTO_TEST_CASE(destroying_the_crawler_mid_crawl_cancels_everything_cleanly) {
    LambdaSpider spider;
    Deferred<Outputs> pending;
    auto crawl = std::make_unique<ClockCrawl>(spider, Pages{{home, {200, links_to({"/a", "/b"})}}});
    spider.on_parse = [&](const Response& page) -> CallbackResult {
        if (page.url == home) return follow_all(page);
        return pending;
    };
    crawl->start();
    crawl->clock.advance(Duration(0.15));  // home parsed, /a and /b downloading
    crawl->crawler.reset();
    // crawl()'s Deferred never fails and is never dropped: it fires with "shutdown".
    BOOST_TEST(crawl->reason.value_or("none") == "shutdown");
    BOOST_TEST(crawl->log.count("Unhandled error") == 0);
    crawl->clock.advance(Duration(1.0));  // nothing left to run into freed memory
    BOOST_TEST(crawl->log.count("Unhandled error") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
