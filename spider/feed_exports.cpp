// FeedExports: the FEEDS extension — one FeedWriter per feed, fed by item_scraped.

#include <fmt/format.h>

#include <exception>
#include <string>

#include "reactor/log.hpp"
#include "spider/feed_export.hpp"

namespace interloop::spider {
namespace {

constexpr std::string_view logger = "interloop.extensions.feedexport";

std::string stat_name(std::string_view what, FeedFormat format) {
    return fmt::format("feedexport/{}/{}", what, format_name(format));
}

}  // namespace

FeedExports::FeedExports(Crawler& crawler)
    : FeedExports(crawler.settings(), crawler.stats(), crawler.signals()) {}

FeedExports::FeedExports(const Settings& settings, StatsCollector& stats, Signals& signals)
    : stats_(stats), signals_(signals) {
    std::vector<std::string> fields = settings.get_list("FEED_EXPORT_FIELDS");
    for (const auto& entry : settings.get_list("FEEDS")) {
        FeedTarget target = parse_feed_target(entry);
        writers_.emplace_back(std::move(target.path), target.format, fields);
    }
    failed_.assign(writers_.size(), false);
    if (writers_.empty()) return;
    item_connection_ =
        signals_.item_scraped.connect([this](const Item& item, const Response*) { write(item); });
    closed_connection_ =
        signals_.spider_closed.connect([this](Spider&, std::string_view) { close(); });
}

FeedExports::~FeedExports() {
    // The signals outlive the extensions (Crawler members), but a handler must not outlive us.
    if (item_connection_ != 0) signals_.item_scraped.disconnect(item_connection_);
    if (closed_connection_ != 0) signals_.spider_closed.disconnect(closed_connection_);
}

void FeedExports::write(const Item& item) {
    if (closed_) return;  // items after spider_closed have nowhere to go
    for (std::size_t i = 0; i < writers_.size(); ++i) {
        if (failed_[i]) continue;
        try {
            writers_[i].write(item);
        } catch (const std::exception& error) {
            fail(i, error);
        }
    }
}

void FeedExports::close() {
    if (std::exchange(closed_, true)) return;
    for (std::size_t i = 0; i < writers_.size(); ++i) {
        if (failed_[i]) continue;
        FeedWriter& writer = writers_[i];
        try {
            writer.close();
        } catch (const std::exception& error) {
            fail(i, error);
            continue;
        }
        log::emit(log::Level::info, logger, "Stored {} feed ({} items) in: {}",
                  format_name(writer.format()), writer.item_count(), writer.path());
        stats_.inc_value(stat_name("success_count", writer.format()));
    }
}

// A failed feed is reported once and then left alone: the rest of the crawl (and the other
// feeds) goes on, as a full disk must not lose the items that still reach the other feeds.
void FeedExports::fail(std::size_t index, const std::exception& error) {
    failed_[index] = true;
    FeedWriter& writer = writers_[index];
    log::emit(log::Level::error, logger, "Error storing {} feed ({} items) in: {}: {}",
              format_name(writer.format()), writer.item_count(), writer.path(), error.what());
    stats_.inc_value(stat_name("failed_count", writer.format()));
    try {
        writer.close();  // frees the file; its last write fails too on a full disk
    } catch (const std::exception&) {
    }
}

}  // namespace interloop::spider
