// End to end: the example QuotesSpider crawls the generated quotes site over loopback, on every
// real reactor, and the result is checked against the site's manifest.

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <map>
#include <string>

#include "docs/examples/quotes_site/site.hpp"
#include "docs/examples/quotes_site/site_server.hpp"
#include "docs/examples/quotes_spider.hpp"
#include "spider/crawl_command.hpp"
#include "spider/crawler.hpp"
#include "tests/reactor/reactor_factories.hpp"
#include "tests/reactor/reactor_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

namespace {

examples::Site small_site() {
    examples::SiteSpec spec;
    spec.pages = 12;
    return examples::generate_site(spec);
}

/// "text|author" of every quote in the manifest, with how often each is expected.
std::map<std::string, int> expected_quotes(const examples::Manifest& manifest) {
    std::map<std::string, int> quotes;
    for (const auto& q : manifest.quotes) ++quotes[q.text + "|" + q.author];
    return quotes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crawl_site)

BOOST_DATA_TEST_CASE(every_page_once_every_quote_once_and_closes_finished,
                     boost::unit_test::data::make(reactor_factories()), factory) {
    LogCapture quiet;
    const examples::Site site = small_site();
    examples::SiteServer server(site);
    server.start();
    auto reactor = factory.make();
    examples::QuotesSpider spider(server.url("/"));
    Crawler crawler(*reactor, spider, Settings{{"LOGSTATS_INTERVAL", "0"}});

    std::map<std::string, int> scraped;
    crawler.signals().item_scraped.connect([&](const Item& item, const Response*) {
        ++scraped[std::string(item.at("text").as_string()) + "|" +
                  std::string(item.at("author").as_string())];
    });
    std::optional<std::string> reason;
    crawler.crawl().add_callback([&](const std::string& why) {
        reason = why;
        reactor->stop();
    });
    run_guarded(*reactor, std::chrono::seconds(30));

    BOOST_TEST(reason.value_or("still open") == "finished");
    const auto& manifest = site.manifest;
    for (const std::string& path : manifest.reachable)
        BOOST_TEST(server.hits(path) == 1u, path << " fetched " << server.hits(path) << " times");
    for (const std::string& path : manifest.not_found)
        BOOST_TEST(server.hits(path) == 1u, path << " fetched " << server.hits(path) << " times");
    BOOST_TEST(server.requests() == manifest.reachable.size() + manifest.not_found.size());
    BOOST_TEST(scraped == expected_quotes(manifest));

    StatsCollector& stats = crawler.stats();
    BOOST_TEST(stats.get_int("item_scraped_count") == std::int64_t(manifest.quotes.size()));
    BOOST_TEST(stats.get_int("downloader/response_status_count/404") ==
               std::int64_t(manifest.not_found.size()));
    BOOST_TEST(stats.get_int("httperror/response_ignored_count") ==
               std::int64_t(manifest.not_found.size()));
    BOOST_TEST(stats.get_int("dupefilter/filtered") ==
               std::int64_t(manifest.counts.duplicate_links));
    BOOST_TEST(stats.get_int("offsite/filtered") == std::int64_t(manifest.counts.offsite_links));
    BOOST_TEST(stats.get_string("finish_reason") == "finished");
    server.stop();
}

BOOST_AUTO_TEST_CASE(sigint_closes_with_reason_shutdown_and_keeps_scraped_items) {
    LogCapture quiet;
    const examples::Site site = small_site();
    examples::SiteServer server(site);
    server.start();

    // Once 10 items are scraped, the spider raises SIGINT and leaves that page's callback waiting
    // on a Deferred nothing fires, so only the signal can end the crawl: run_crawl's reactor must
    // turn it into a graceful close that cancels the wait.
    class InterruptedSpider : public examples::QuotesSpider {
    public:
        using QuotesSpider::QuotesSpider;
        CallbackResult parse(const Response& page) override {
            if (raised || crawler()->stats().get_int("item_scraped_count") < 10)
                return QuotesSpider::parse(page);
            raised = true;
            std::raise(SIGINT);
            return waiting;
        }
        bool raised = false;
        Deferred<Outputs> waiting;
    } spider(server.url("/"));

    StatsCollector final_stats;
    int code = run_crawl(spider, Settings{{"LOGSTATS_INTERVAL", "0"}}, [&](Crawler& crawler) {
        crawler.signals().spider_closed.connect(
            [&](Spider&, std::string_view) { final_stats = crawler.stats(); });
    });
    BOOST_TEST(code == 0);
    BOOST_TEST(final_stats.get_string("finish_reason") == "shutdown");
    BOOST_TEST(spider.waiting.called());                          // cancelled by the close
    BOOST_TEST(final_stats.get_int("item_scraped_count") >= 10);  // from pages before the signal
    server.stop();
}

BOOST_AUTO_TEST_SUITE_END()
