// StatsDump: the stats as JSON, to the log and to STATS_DUMP_FILE.

#include "spider/stats_dump.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "reactor/log.hpp"

namespace interloop::spider {

StatsDump::StatsDump(Crawler& crawler)
    : StatsDump(crawler.settings(), crawler.stats(), crawler.signals()) {}

StatsDump::StatsDump(const Settings& settings, StatsCollector& stats, Signals& signals)
    : stats_(stats),
      signals_(signals),
      log_(settings.get_bool("STATS_DUMP", true)),
      path_(settings.get("STATS_DUMP_FILE")) {
    connection_ = signals_.spider_closed.connect([this](Spider&, std::string_view) { dump(); });
}

StatsDump::~StatsDump() {
    signals_.spider_closed.disconnect(connection_);
}

void StatsDump::dump() {
    std::string json = stats_.to_json();
    if (log_)
        log::emit(log::Level::info, "interloop.statscollectors", "Dumping interloop stats:\n{}",
                  json);
    if (path_.empty()) return;
    json += '\n';
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path_.c_str(), "w"),
                                                         &std::fclose);
    bool ok = file && std::fwrite(json.data(), 1, json.size(), file.get()) == json.size();
    // fclose flushes: its result is the write's result.
    ok = file && std::fclose(file.release()) == 0 && ok;
    if (!ok)
        log::emit(log::Level::error, "interloop.statscollectors",
                  "Cannot write the stats to {}: {}", path_, std::strerror(errno));
}

}  // namespace interloop::spider
