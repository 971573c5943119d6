// StatsDump and LogStats on their own (Signals, the Clock), then every extension in a real
// crawl on the Clock: feeds and the stats dump at the spider's close, the progress log every
// interval and no timer left once the spider has closed.
#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "reactor/clock.hpp"
#include "spider/crawler.hpp"
#include "spider/feed_export.hpp"
#include "spider/log_stats.hpp"
#include "spider/stats_dump.hpp"
#include "tests/spider/feed_testing.hpp"
#include "tests/support/deferred_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using namespace interloop::spider;
using namespace std::chrono_literals;
using interloop::testing::LogCapture;
using interloop::testing::read_file;
using interloop::testing::TempDir;

namespace {

/// Answers every request with a 200 `delay` after it starts.
class DelayedTransport final : public Transport {
public:
    DelayedTransport(Clock& clock, Duration delay) : clock_(clock), delay_(delay) {}

    void start(Transfer& transfer) override {
        calls_[&transfer] = clock_.call_later(delay_, [this, &transfer] {
            calls_.erase(&transfer);
            transfer.response().status = 200;
            transfer.response().url = transfer.request().url();
            transfer.response().body = "<html></html>";
            sink().transfer_succeeded(transfer);
        });
    }
    void abort(Transfer& transfer) noexcept override {
        auto it = calls_.find(&transfer);
        if (it == calls_.end()) return;
        it->second.cancel();
        calls_.erase(it);
    }

private:
    Clock& clock_;
    Duration delay_;
    std::map<Transfer*, DelayedCall> calls_;
};

/// One item per page: {"url": ...}.
class PagesSpider final : public Spider {
public:
    explicit PagesSpider(int pages) : Spider("pages") {
        for (int i = 1; i <= pages; ++i)
            start_urls.push_back(fmt::format("http://example.com/{}", i));
    }
    CallbackResult parse(const Response& response) override {
        return Outputs{Item{{"url", response.url}}};
    }
};

/// A crawl of `pages` pages, each answered `delay` after it was asked for, on a Clock.
struct Crawl {
    Crawl(int pages, Duration delay, Settings settings)
        : spider(pages),
          crawler(clock, spider, std::move(settings),
                  std::make_unique<DelayedTransport>(clock, delay)) {}

    /// Runs the crawl second by second until the spider has closed; its close reason.
    std::string run(int max_seconds = 3600) {
        auto done = crawler.crawl();
        for (int i = 0; i < max_seconds && !done.has_result(); ++i) clock.advance(1s);
        BOOST_REQUIRE_MESSAGE(done.has_result(), "the crawl did not finish");
        return interloop::testing::success_result_of(done);
    }

    Clock clock;
    PagesSpider spider;
    Crawler crawler;
};

std::vector<std::string> messages_of(const LogCapture& logs, std::string_view logger) {
    std::vector<std::string> out;
    for (const auto& line : logs.lines)
        if (line.logger == logger) out.push_back(line.message);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stats_dump)

BOOST_AUTO_TEST_CASE(stats_are_logged_and_written_to_the_dump_file) {
    TempDir dir;
    LogCapture logs;
    StatsCollector stats;
    stats.inc_value("item_scraped_count", 3);
    stats.set_value("finish_reason", std::string("finished"));
    Signals signals;
    {
        StatsDump dump(Settings{{"STATS_DUMP_FILE", dir.file("stats.json")}}, stats, signals);
        dump.dump();
    }
    BOOST_TEST(signals.spider_closed.empty());
    BOOST_REQUIRE(logs.lines.size() == 1u);
    BOOST_TEST(logs.lines[0].logger == "interloop.statscollectors");
    BOOST_TEST(logs.lines[0].message == "Dumping interloop stats:\n" + stats.to_json());
    BOOST_TEST(read_file(dir.file("stats.json")) == stats.to_json() + "\n");
}

BOOST_AUTO_TEST_CASE(an_unwritable_dump_file_is_logged_not_thrown) {
    LogCapture logs;
    StatsCollector stats;
    Signals signals;
    StatsDump dump(Settings{{"STATS_DUMP_FILE", "/nonexistent-interloop-dir/stats.json"},
                            {"STATS_DUMP", "False"}},
                   stats, signals);
    BOOST_CHECK_NO_THROW(dump.dump());
    BOOST_REQUIRE(logs.lines.size() == 1u);
    BOOST_TEST((logs.lines[0].level == log::Level::error));
    BOOST_TEST(logs.lines[0].message.find("/nonexistent-interloop-dir/stats.json") !=
               std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(log_stats)

BOOST_AUTO_TEST_CASE(rates_are_per_minute_over_the_interval) {
    CrawlRates r = crawl_rates(30, 12, 60s);
    BOOST_TEST(r.pages_per_minute == 30.0);
    BOOST_TEST(r.items_per_minute == 12.0);
    r = crawl_rates(10, 5, 30s);
    BOOST_TEST(r.pages_per_minute == 20.0);
    BOOST_TEST(r.items_per_minute == 10.0);
    r = crawl_rates(10, 5, 0s);
    BOOST_TEST(r.pages_per_minute == 0.0);
    BOOST_TEST(progress_message(7, 3, {2.9, 0.5}) ==
               "Crawled 7 pages (at 2 pages/min), scraped 3 items (at 0 items/min)");
}

BOOST_AUTO_TEST_CASE(progress_is_logged_every_interval_until_stopped) {
    LogCapture logs;
    Clock clock;
    StatsCollector stats;
    Signals signals;
    LogStats ext(clock, Settings{{"LOGSTATS_INTERVAL", "60"}}, stats, signals);
    BOOST_TEST(!signals.spider_opened.empty());
    ext.start();
    BOOST_TEST(ext.running());
    stats.inc_value("response_received_count", 30);
    stats.inc_value("item_scraped_count", 12);
    clock.advance(59s);
    stats.inc_value("response_received_count", 1);  // 31 pages at 60 s
    clock.advance(1s);
    stats.inc_value("response_received_count", 90);  // 121 pages, the reactor late by 2 intervals
    clock.advance(180s);
    BOOST_REQUIRE(logs.lines.size() == 3u);
    BOOST_TEST(logs.lines[0].logger == "interloop.extensions.logstats");
    BOOST_TEST(logs.lines[0].message ==
               "Crawled 0 pages (at 0 pages/min), scraped 0 items (at 0 items/min)");
    BOOST_TEST(logs.lines[1].message ==
               "Crawled 31 pages (at 31 pages/min), scraped 12 items (at 12 items/min)");
    BOOST_TEST(logs.lines[2].message ==
               "Crawled 121 pages (at 30 pages/min), scraped 12 items (at 0 items/min)");
    ext.stop();
    BOOST_TEST(!ext.running());
    BOOST_TEST(clock.pending_calls().empty());
    // 121 pages and 12 items in 4 minutes.
    BOOST_TEST(std::get<double>(*stats.get("responses_per_minute")) == 30.25);
    BOOST_TEST(std::get<double>(*stats.get("items_per_minute")) == 3.0);
    clock.advance(600s);
    BOOST_TEST(logs.lines.size() == 3u);
}

BOOST_AUTO_TEST_CASE(an_interval_of_zero_turns_it_off) {
    LogCapture logs;
    Clock clock;
    StatsCollector stats;
    Signals signals;
    LogStats ext(clock, Settings{{"LOGSTATS_INTERVAL", "0"}}, stats, signals);
    BOOST_TEST(signals.spider_opened.empty());
    ext.start();
    BOOST_TEST(!ext.running());
    BOOST_TEST(clock.pending_calls().empty());
    ext.stop();
    BOOST_TEST(logs.lines.empty());
    BOOST_TEST(!stats.contains("responses_per_minute"));
}

BOOST_AUTO_TEST_CASE(destroying_it_leaves_no_timer_and_no_handler) {
    Clock clock;
    StatsCollector stats;
    Signals signals;
    {
        LogCapture logs;
        LogStats ext(clock, Settings{{"LOGSTATS_INTERVAL", "10"}}, stats, signals);
        ext.start();
        BOOST_TEST(!clock.pending_calls().empty());
    }
    BOOST_TEST(clock.pending_calls().empty());
    BOOST_TEST(signals.spider_opened.empty());
    BOOST_TEST(signals.spider_closed.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(extensions_in_a_crawl)

BOOST_AUTO_TEST_CASE(feeds_hold_every_item_and_the_dump_sees_the_feed_stats) {
    TempDir dir;
    LogCapture logs;
    Crawl crawl(3, 2s,
                Settings{{"FEEDS", dir.file("items.jsonl") + "," + dir.file("items.csv")},
                         {"STATS_DUMP_FILE", dir.file("stats.json")},
                         {"LOGSTATS_INTERVAL", "0"}});
    BOOST_TEST(crawl.run() == "finished");

    std::set<std::string> lines;
    std::istringstream jsonl(read_file(dir.file("items.jsonl")));
    for (std::string line; std::getline(jsonl, line);) lines.insert(line);
    BOOST_TEST((lines == std::set<std::string>{"{\"url\":\"http://example.com/1\"}",
                                               "{\"url\":\"http://example.com/2\"}",
                                               "{\"url\":\"http://example.com/3\"}"}));
    BOOST_TEST(read_file(dir.file("items.csv")).starts_with("url\r\nhttp://example.com/"));

    auto stats = boost::json::parse(read_file(dir.file("stats.json"))).as_object();
    BOOST_TEST(stats.at("finish_reason").as_string() == "finished");
    BOOST_TEST(stats.at("item_scraped_count").as_int64() == 3);
    BOOST_TEST(stats.at("feedexport/success_count/jsonlines").as_int64() == 1);
    BOOST_TEST(stats.at("feedexport/success_count/csv").as_int64() == 1);
    BOOST_TEST(!stats.contains("responses_per_minute"));  // LogStats is off

    auto feed_lines = messages_of(logs, "interloop.extensions.feedexport");
    BOOST_TEST(feed_lines.size() == 2u);
    BOOST_TEST(logs.count("Stored jsonlines feed (3 items) in: " + dir.file("items.jsonl")) == 1u);
    BOOST_TEST(logs.count("Dumping interloop stats:\n{") == 1u);
    BOOST_TEST(messages_of(logs, "interloop.extensions.logstats").empty());
}

BOOST_AUTO_TEST_CASE(a_full_disk_fails_the_feed_not_the_crawl) {
    TempDir dir;
    LogCapture logs;
    Crawl crawl(3, 1s,
                Settings{{"FEEDS", "/dev/full:jsonlines," + dir.file("items.json")},
                         {"LOGSTATS_INTERVAL", "0"}});
    BOOST_TEST(crawl.run() == "finished");
    auto& stats = crawl.crawler.stats();
    BOOST_TEST(stats.get_int("item_scraped_count") == 3);
    BOOST_TEST(stats.get_int("feedexport/failed_count/jsonlines") == 1);
    BOOST_TEST(stats.get_int("feedexport/success_count/json") == 1);
    BOOST_TEST(boost::json::parse(read_file(dir.file("items.json"))).as_array().size() == 3u);
    BOOST_TEST(logs.count("Error storing jsonlines feed") == 1u);
}

BOOST_AUTO_TEST_CASE(progress_is_logged_every_interval_and_stops_with_the_spider) {
    LogCapture logs;
    // One page at a time, 11 s each: pages end at 11, 22, ..., 220 s (plus the engine's start
    // turn), never on an interval's boundary.
    Crawl crawl(20, 11s,
                Settings{{"CONCURRENT_REQUESTS_PER_DOMAIN", "1"}, {"LOGSTATS_INTERVAL", "60"}});
    BOOST_TEST(crawl.run() == "finished");
    double finished_at = crawl.clock.seconds();
    BOOST_TEST(finished_at >= 220.0);
    BOOST_TEST(finished_at < 224.0);
    BOOST_TEST(crawl.clock.pending_calls().empty());  // no progress timer left behind

    auto progress = messages_of(logs, "interloop.extensions.logstats");
    BOOST_REQUIRE(progress.size() == 4u);  // at 0, 60, 120 and 180 s
    BOOST_TEST(progress[0] == "Crawled 0 pages (at 0 pages/min), scraped 0 items (at 0 items/min)");
    BOOST_TEST(progress[1] == "Crawled 5 pages (at 5 pages/min), scraped 5 items (at 5 items/min)");
    BOOST_TEST(progress[2] ==
               "Crawled 10 pages (at 5 pages/min), scraped 10 items (at 5 items/min)");
    BOOST_TEST(progress[3] ==
               "Crawled 16 pages (at 6 pages/min), scraped 16 items (at 6 items/min)");

    // The averages over the crawl, as Scrapy 2.8+ records them: 20 pages and items.
    auto& stats = crawl.crawler.stats();
    BOOST_TEST(std::get<double>(*stats.get("responses_per_minute")) == 20 * 60 / finished_at,
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(std::get<double>(*stats.get("items_per_minute")) == 20 * 60 / finished_at,
               boost::test_tools::tolerance(1e-9));
    // The dump (after LogStats at spider_closed) holds them.
    BOOST_TEST(logs.count("\"responses_per_minute\"") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
