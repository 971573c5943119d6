#pragma once
// A Scrapy-like command line for crawl programs: options, log level, and running a spider.

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spider/crawler.hpp"
#include "spider/settings.hpp"
#include "spider/spider.hpp"

namespace interloop::spider {

/// What `parse_crawl_options` read.
struct CrawlOptions {
    /// Positional arguments (the URLs to crawl).
    std::vector<std::string> urls;
    /// `-s NAME=VALUE`, `-o FILE` (appended to FEEDS) and `-L LEVEL` (LOG_LEVEL).
    Settings settings;
    /// `-h` / `--help` was given.
    bool help = false;
};

/// Parses `scrapy crawl`-like options (without the program name):
/// `-o FILE` / `-O FILE` (feed; format from the extension: .jsonl, .json, .csv; repeatable),
/// `-s NAME=VALUE` (repeatable), `-L LEVEL` / `--loglevel LEVEL` (DEBUG, INFO, WARNING,
/// ERROR), `--nolog` (only errors), `-h` / `--help`; anything else is a URL. Throws
/// std::invalid_argument naming the bad argument.
CrawlOptions parse_crawl_options(std::span<char* const> arguments);

/// The usage text of a crawl program called `program`.
std::string crawl_usage(std::string_view program);

/// Sets the library's log level from LOG_LEVEL (throws SettingsError for an unknown level).
void apply_log_level(const Settings& settings);

/// Crawls with `spider` on a new libevent reactor until the spider closes, and returns the
/// process exit code (0 when the crawl ran, whatever its close reason; 1 if it could not
/// start). `setup` may add components to the Crawler before the crawl starts. SIGINT or
/// SIGTERM closes the spider with reason "shutdown" (downloads in flight are cancelled, items
/// already scraped are kept and exported); a second one stops at once.
int run_crawl(Spider& spider, const Settings& settings,
              const std::function<void(Crawler&)>& setup = {});

}  // namespace interloop::spider
