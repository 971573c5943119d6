// LogStats: rates over each interval, logged from a LoopingCall on the crawl's time.

#include "spider/log_stats.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reactor/log.hpp"

namespace interloop::spider {

CrawlRates crawl_rates(std::int64_t pages, std::int64_t items, Duration elapsed) {
    if (elapsed.count() <= 0) return {};
    double per_minute = 60.0 / elapsed.count();
    return {double(pages) * per_minute, double(items) * per_minute};
}

std::string progress_message(std::int64_t pages, std::int64_t items, CrawlRates rates) {
    return fmt::format("Crawled {} pages (at {} pages/min), scraped {} items (at {} items/min)",
                       pages, std::int64_t(rates.pages_per_minute), items,
                       std::int64_t(rates.items_per_minute));
}

LogStats::LogStats(Crawler& crawler)
    : LogStats(crawler.time(), crawler.settings(), crawler.stats(), crawler.signals()) {}

LogStats::LogStats(ReactorTime& time, const Settings& settings, StatsCollector& stats,
                   Signals& signals)
    : time_(time),
      stats_(stats),
      signals_(signals),
      interval_(std::max(0.0, settings.get_double("LOGSTATS_INTERVAL", 60.0))),
      loop_(LoopingCall::with_count(time, [this](std::size_t intervals) { log(intervals); })) {
    if (interval_.count() <= 0) return;  // off: nothing connected, no timer ever
    opened_connection_ = signals_.spider_opened.connect([this](Spider&) { start(); });
    closed_connection_ =
        signals_.spider_closed.connect([this](Spider&, std::string_view) { stop(); });
}

LogStats::~LogStats() {
    if (opened_connection_ != 0) signals_.spider_opened.disconnect(opened_connection_);
    if (closed_connection_ != 0) signals_.spider_closed.disconnect(closed_connection_);
}  // ~LoopingCall cancels a pending call

void LogStats::start() {
    if (interval_.count() <= 0 || loop_.running()) return;
    started_at_ = time_.seconds();
    pages_before_ = 0;
    items_before_ = 0;
    // The loop's Deferred only says when it stopped; log() does not throw.
    (void)loop_.start(interval_, true);
}

void LogStats::stop() {
    if (!loop_.running()) return;
    loop_.stop();
    double minutes = (time_.seconds() - started_at_) / 60.0;
    if (minutes <= 0) return;  // Scrapy would divide by zero here
    stats_.set_value("responses_per_minute",
                     double(stats_.get_int("response_received_count")) / minutes);
    stats_.set_value("items_per_minute", double(stats_.get_int("item_scraped_count")) / minutes);
}

void LogStats::log(std::size_t intervals) {
    std::int64_t pages = stats_.get_int("response_received_count");
    std::int64_t items = stats_.get_int("item_scraped_count");
    CrawlRates rates =
        crawl_rates(pages - pages_before_, items - items_before_, interval_ * double(intervals));
    pages_before_ = pages;
    items_before_ = items;
    log::emit(log::Level::info, "interloop.extensions.logstats", "{}",
              progress_message(pages, items, rates));
}

}  // namespace interloop::spider
