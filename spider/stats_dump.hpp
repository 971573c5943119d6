#pragma once
// StatsDump: the crawl's stats logged, and written to STATS_DUMP_FILE, when the spider closes.

#include <cstdint>
#include <string>

#include "spider/crawler.hpp"

namespace interloop::spider {

/// Dumps the stats at `spider_closed` (Scrapy's "Dumping Scrapy stats", done by its stats
/// collector): logs "Dumping interloop stats:" and `stats.to_json()` at INFO on
/// "interloop.statscollectors" (unless STATS_DUMP is false) and, if STATS_DUMP_FILE is set,
/// writes the same JSON (and a newline) to that file. A file that cannot be written is logged
/// at error level, never thrown.
///
/// It dumps what the stats hold when its handler runs: extensions that set stats at
/// `spider_closed` (FeedExports, LogStats) must be constructed before it.
class StatsDump : public Extension {
public:
    explicit StatsDump(Crawler& crawler);
    /// The same without a Crawler: dumps on `signals.spider_closed` (or `dump()`). `stats`
    /// and `signals` must outlive it.
    StatsDump(const Settings& settings, StatsCollector& stats, Signals& signals);
    StatsDump(const StatsDump&) = delete;
    StatsDump& operator=(const StatsDump&) = delete;
    ~StatsDump() override;

    /// Logs the stats and writes the dump file now.
    void dump();

private:
    StatsCollector& stats_;
    Signals& signals_;
    bool log_;
    std::string path_;
    std::uint64_t connection_ = 0;
};

}  // namespace interloop::spider
