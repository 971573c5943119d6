// StatsCollector: updates and the JSON dump.

#include "spider/stats.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace interloop::spider {
namespace {

template <class Map>
auto& slot_of(Map& values, std::string_view key) {
    auto it = values.find(key);
    if (it == values.end()) it = values.emplace(std::string(key), std::int64_t{0}).first;
    if (!std::holds_alternative<std::int64_t>(it->second)) it->second = std::int64_t{0};
    return std::get<std::int64_t>(it->second);
}

}  // namespace

void StatsCollector::inc_value(std::string_view key, std::int64_t count) {
    slot_of(values_, key) += count;
}

void StatsCollector::set_value(std::string_view key, Value value) {
    auto it = values_.find(key);
    if (it == values_.end())
        values_.emplace(std::string(key), std::move(value));
    else
        it->second = std::move(value);
}

void StatsCollector::max_value(std::string_view key, std::int64_t value) {
    bool fresh = !values_.contains(key);
    auto& slot = slot_of(values_, key);
    slot = fresh ? value : std::max(slot, value);
}

void StatsCollector::min_value(std::string_view key, std::int64_t value) {
    bool fresh = !values_.contains(key);
    auto& slot = slot_of(values_, key);
    slot = fresh ? value : std::min(slot, value);
}

std::int64_t StatsCollector::get_int(std::string_view key, std::int64_t fallback) const {
    const Value* value = get(key);
    const auto* number = value ? std::get_if<std::int64_t>(value) : nullptr;
    return number ? *number : fallback;
}

std::string StatsCollector::get_string(std::string_view key, std::string_view fallback) const {
    const Value* value = get(key);
    const auto* text = value ? std::get_if<std::string>(value) : nullptr;
    return text ? *text : std::string(fallback);
}

const StatsCollector::Value* StatsCollector::get(std::string_view key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
}

std::string StatsCollector::to_json(int indent) const {
    std::string out = "{";
    std::string pad = indent > 0 ? "\n" + std::string(std::size_t(indent), ' ') : "";
    bool first = true;
    for (const auto& [key, value] : values_) {
        out += first ? "" : ",";
        first = false;
        out += pad;
        out += boost::json::serialize(boost::json::string_view(key));
        out += indent > 0 ? ": " : ":";
        std::visit([&](const auto& v) { out += boost::json::serialize(boost::json::value(v)); },
                   value);
    }
    out += indent > 0 && !values_.empty() ? "\n}" : "}";
    return out;
}

}  // namespace interloop::spider
