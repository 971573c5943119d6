#pragma once
// Settings: a crawl's configuration by name, with Scrapy's names and defaults.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/reactor.hpp"

namespace interloop::spider {

/// A setting that exists but whose value cannot be read as the type asked for, or a
/// `NAME=VALUE` argument without `=`. `what()` names the setting and the value.
class SettingsError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Named settings (Scrapy's `Settings`): values are kept as text, as they come from the command
/// line (`-s NAME=VALUE`), and read with a type. Unknown names are allowed (spiders and
/// components read their own).
///
/// `Settings::defaults()` holds the names the engine reads, with Scrapy's default values where
/// Scrapy has the setting: CONCURRENT_REQUESTS, CONCURRENT_REQUESTS_PER_DOMAIN,
/// CONCURRENT_ITEMS, DOWNLOAD_DELAY, RANDOMIZE_DOWNLOAD_DELAY, DOWNLOAD_TIMEOUT,
/// DOWNLOAD_MAXSIZE, REDIRECT_ENABLED, REDIRECT_MAX_TIMES, USER_AGENT, COMPRESSION_ENABLED,
/// DEPTH_LIMIT, DEPTH_PRIORITY, DEPTH_STATS_VERBOSE, URLLENGTH_LIMIT, RETRY_ENABLED,
/// RETRY_TIMES, RETRY_HTTP_CODES, RETRY_PRIORITY_ADJUST, HTTPERROR_ALLOWED_CODES,
/// HTTPERROR_ALLOW_ALL, LOGSTATS_INTERVAL, LOG_LEVEL, SCHEDULER_ORDER (interloop: "lifo" or
/// "fifo"), SCRAPER_SLOT_MAX_ACTIVE_SIZE,
/// IDLE_RECHECK_INTERVAL (interloop), FEEDS (interloop: comma-separated files, format from the
/// extension or a `FILE:format` suffix; `-` is standard output), FEED_EXPORT_FIELDS, STATS_DUMP,
/// STATS_DUMP_FILE (interloop: the stats as JSON at close), RETRY_DOWNLOAD_ERRORS (interloop:
/// the DownloadError reasons retried, Scrapy's RETRY_EXCEPTIONS).
class Settings {
public:
    Settings() = default;
    /// Settings from `{name, value}` pairs: `Settings{{"DEPTH_LIMIT", "2"}}`.
    Settings(std::initializer_list<std::pair<const std::string, std::string>> values)
        : values_(values) {}

    /// The engine's settings with their default values.
    static const Settings& defaults();

    /// Sets `name` to `value` (as text).
    void set(std::string_view name, std::string_view value);
    void set(std::string_view name, const char* value) { set(name, std::string_view(value)); }
    void set(std::string_view name, bool value) { set(name, value ? "True" : "False"); }
    void set(std::string_view name, std::int64_t value);
    void set(std::string_view name, int value) { set(name, std::int64_t(value)); }
    void set(std::string_view name, double value);
    /// Parses one `NAME=VALUE` command-line argument; throws SettingsError without `=`.
    void set_from_argument(std::string_view name_equals_value);
    /// Copies every setting of `other` over this one's.
    void update(const Settings& other);

    /// True if `name` is set.
    bool contains(std::string_view name) const { return values_.contains(name); }
    /// The text of `name`, or `fallback` if unset.
    std::string get(std::string_view name, std::string_view fallback = {}) const;
    /// `name` as an integer (throws SettingsError if it is not one), or `fallback` if unset.
    std::int64_t get_int(std::string_view name, std::int64_t fallback = 0) const;
    /// `name` as a number.
    double get_double(std::string_view name, double fallback = 0.0) const;
    /// `name` as a duration in seconds.
    Duration get_seconds(std::string_view name, double fallback = 0.0) const {
        return Duration(get_double(name, fallback));
    }
    /// `name` as a boolean: 1/0, true/false, True/False, yes/no.
    bool get_bool(std::string_view name, bool fallback = false) const;
    /// `name` as a comma-separated list (items trimmed; empty items dropped; a JSON-style
    /// `[a, b]` is accepted too).
    std::vector<std::string> get_list(std::string_view name) const;
    /// `get_list` read as integers.
    std::vector<std::int64_t> get_int_list(std::string_view name) const;

    const std::map<std::string, std::string, std::less<>>& values() const noexcept {
        return values_;
    }

private:
    std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace interloop::spider
