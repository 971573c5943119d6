#pragma once
// LogStats: the periodic progress line, "Crawled N pages (at X pages/min), ...".

#include <cstddef>
#include <cstdint>
#include <string>

#include "reactor/looping_call.hpp"
#include "spider/crawler.hpp"

namespace interloop::spider {

/// Pages and items per minute.
struct CrawlRates {
    double pages_per_minute = 0;
    double items_per_minute = 0;
};

/// The rates of `pages` responses and `items` items received over `elapsed` (Scrapy's
/// LogStats: count delta × 60 / interval). Zero rates when `elapsed` is not positive.
CrawlRates crawl_rates(std::int64_t pages, std::int64_t items, Duration elapsed);

/// "Crawled 12 pages (at 6 pages/min), scraped 30 items (at 15 items/min)": totals, and the
/// rates truncated to integers (Scrapy's `%d`).
std::string progress_message(std::int64_t pages, std::int64_t items, CrawlRates rates);

/// Scrapy's LogStats extension: every LOGSTATS_INTERVAL seconds (default 60; 0 or less: off)
/// from `spider_opened` — starting with a line at once — logs `progress_message` at INFO on
/// "interloop.extensions.logstats", with the rates of `response_received_count` and
/// `item_scraped_count` since the previous line. When the reactor was late by whole
/// intervals, the rates are over the time that really passed (Scrapy divides by one interval).
///
/// At `spider_closed` the loop stops (no timer is left behind) and, as Scrapy 2.8+ does, the
/// stats `responses_per_minute` and `items_per_minute` are set to the averages over the whole
/// crawl (when some time passed).
class LogStats : public Extension {
public:
    explicit LogStats(Crawler& crawler);
    /// The same without a Crawler: starts on `signals.spider_opened` (or `start()`), stops on
    /// `signals.spider_closed` (or `stop()`). `time`, `stats` and `signals` must outlive it.
    LogStats(ReactorTime& time, const Settings& settings, StatsCollector& stats, Signals& signals);
    LogStats(const LogStats&) = delete;
    LogStats& operator=(const LogStats&) = delete;
    ~LogStats() override;

    /// Logs a first line and starts the loop. Nothing if disabled or already running.
    void start();
    /// Stops the loop and sets the per-minute stats. Nothing if not running.
    void stop();

    /// True between `start` and `stop` (always false when disabled).
    bool running() const noexcept { return loop_.running(); }
    /// LOGSTATS_INTERVAL; zero when disabled.
    Duration interval() const noexcept { return interval_; }

private:
    void log(std::size_t intervals);

    ReactorTime& time_;
    StatsCollector& stats_;
    Signals& signals_;
    Duration interval_;
    LoopingCall loop_;
    double started_at_ = 0;
    std::int64_t pages_before_ = 0;
    std::int64_t items_before_ = 0;
    std::uint64_t opened_connection_ = 0;
    std::uint64_t closed_connection_ = 0;
};

}  // namespace interloop::spider
