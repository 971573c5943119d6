// Settings: parsing setting values, and the engine's defaults.

#include "spider/settings.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace interloop::spider {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

[[noreturn]] void bad_value(std::string_view name, std::string_view value,
                            std::string_view expected) {
    throw SettingsError(fmt::format("setting {}: expected {}, got '{}'", name, expected, value));
}

std::int64_t parse_int(std::string_view name, std::string_view text) {
    std::string_view s = trim(text);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        bad_value(name, text, "an integer");
    return value;
}

}  // namespace

const Settings& Settings::defaults() {
    static const Settings defaults{
        {"CONCURRENT_REQUESTS", "16"},
        {"CONCURRENT_REQUESTS_PER_DOMAIN", "8"},
        {"CONCURRENT_ITEMS", "100"},
        {"DOWNLOAD_DELAY", "0"},
        {"RANDOMIZE_DOWNLOAD_DELAY", "True"},
        {"DOWNLOAD_TIMEOUT", "180"},
        {"DOWNLOAD_MAXSIZE", "1073741824"},
        {"REDIRECT_ENABLED", "True"},
        {"REDIRECT_MAX_TIMES", "20"},
        {"USER_AGENT", "interloop-spider/0.1"},
        {"COMPRESSION_ENABLED", "True"},
        {"DEPTH_LIMIT", "0"},
        {"DEPTH_PRIORITY", "0"},
        {"DEPTH_STATS_VERBOSE", "False"},
        {"URLLENGTH_LIMIT", "2083"},
        {"RETRY_ENABLED", "True"},
        {"RETRY_TIMES", "2"},
        {"RETRY_HTTP_CODES", "500,502,503,504,522,524,408,429"},
        {"RETRY_PRIORITY_ADJUST", "-1"},
        {"HTTPERROR_ALLOWED_CODES", ""},
        {"HTTPERROR_ALLOW_ALL", "False"},
        {"LOGSTATS_INTERVAL", "60"},
        {"LOG_LEVEL", "INFO"},
        {"SCHEDULER_ORDER", "lifo"},
        {"SCRAPER_SLOT_MAX_ACTIVE_SIZE", "5000000"},
        {"IDLE_RECHECK_INTERVAL", "5"},
        {"FEEDS", ""},
        {"STATS_DUMP_FILE", ""},
    };
    return defaults;
}

void Settings::set(std::string_view name, std::string_view value) {
    values_.insert_or_assign(std::string(name), std::string(value));
}
void Settings::set(std::string_view name, std::int64_t value) {
    set(name, fmt::format("{}", value));
}
void Settings::set(std::string_view name, double value) {
    set(name, fmt::format("{}", value));
}

void Settings::set_from_argument(std::string_view argument) {
    auto eq = argument.find('=');
    if (eq == std::string_view::npos || trim(argument.substr(0, eq)).empty())
        throw SettingsError(fmt::format("expected NAME=VALUE, got '{}'", argument));
    set(trim(argument.substr(0, eq)), trim(argument.substr(eq + 1)));
}

void Settings::update(const Settings& other) {
    for (const auto& [name, value] : other.values_) values_.insert_or_assign(name, value);
}

std::string Settings::get(std::string_view name, std::string_view fallback) const {
    auto it = values_.find(name);
    return std::string(it == values_.end() ? fallback : std::string_view(it->second));
}

std::int64_t Settings::get_int(std::string_view name, std::int64_t fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    return parse_int(name, it->second);
}

double Settings::get_double(std::string_view name, double fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    std::string text(trim(it->second));
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || end != text.c_str() + text.size())
        bad_value(name, it->second, "a number");
    return value;
}

bool Settings::get_bool(std::string_view name, bool fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    std::string_view s = trim(it->second);
    for (std::string_view yes : {"1", "true", "True", "TRUE", "yes", "on"})
        if (s == yes) return true;
    for (std::string_view no : {"0", "false", "False", "FALSE", "no", "off", ""})
        if (s == no) return false;
    bad_value(name, it->second, "a boolean (1/0, true/false, yes/no)");
}

std::vector<std::string> Settings::get_list(std::string_view name) const {
    std::vector<std::string> items;
    auto it = values_.find(name);
    if (it == values_.end()) return items;
    std::string_view rest = trim(it->second);
    if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']')
        rest = rest.substr(1, rest.size() - 2);
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        if (item.size() >= 2 && (item.front() == '"' || item.front() == '\'') &&
            item.back() == item.front())
            item = item.substr(1, item.size() - 2);
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return items;
}

std::vector<std::int64_t> Settings::get_int_list(std::string_view name) const {
    std::vector<std::int64_t> numbers;
    for (const auto& item : get_list(name)) numbers.push_back(parse_int(name, item));
    return numbers;
}

}  // namespace interloop::spider
