#pragma once
// StatsCollector: the crawl's named counters and values (Scrapy's stats).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace interloop::spider {

/// Named values of a crawl, under Scrapy's stat names (`downloader/request_count`,
/// `item_scraped_count`, `finish_reason`, ...). Counters are integers; a value may also be a
/// floating-point number or a text. Keys sort alphabetically in dumps, as Scrapy prints them.
class StatsCollector {
public:
    using Value = std::variant<std::int64_t, double, std::string>;

    /// Adds `count` to the integer under `key` (missing counts as 0).
    void inc_value(std::string_view key, std::int64_t count = 1);
    /// Sets `key` to `value`.
    void set_value(std::string_view key, Value value);
    /// Keeps the larger of the integer under `key` and `value`.
    void max_value(std::string_view key, std::int64_t value);
    /// Keeps the smaller of the integer under `key` and `value`.
    void min_value(std::string_view key, std::int64_t value);

    /// The integer under `key`, or `fallback` if it is missing or not an integer.
    std::int64_t get_int(std::string_view key, std::int64_t fallback = 0) const;
    /// The text under `key`, or `fallback`.
    std::string get_string(std::string_view key, std::string_view fallback = {}) const;
    /// The value under `key`, or nullptr.
    const Value* get(std::string_view key) const;
    bool contains(std::string_view key) const { return values_.contains(key); }

    const std::map<std::string, Value, std::less<>>& values() const noexcept { return values_; }
    /// All values as one JSON object, keys sorted, pretty-printed with `indent` spaces (0: one
    /// line).
    std::string to_json(int indent = 2) const;

private:
    std::map<std::string, Value, std::less<>> values_;
};

}  // namespace interloop::spider
