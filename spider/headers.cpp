// Headers: case-insensitive lookup over a vector of pairs.

#include "spider/headers.hpp"

#include <algorithm>

namespace interloop::spider {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = char(x + 32);
        if (y >= 'A' && y <= 'Z') y = char(y + 32);
        if (x != y) return false;
    }
    return true;
}

void Headers::set(std::string_view name, std::string value) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return iequals(e.first, name); });
    if (it == entries_.end()) {
        entries_.emplace_back(std::string(name), std::move(value));
        return;
    }
    it->second = std::move(value);
    entries_.erase(std::remove_if(std::next(it), entries_.end(),
                                  [&](const Entry& e) { return iequals(e.first, name); }),
                   entries_.end());
}

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
    for (const Entry& e : entries_)
        if (iequals(e.first, name)) return std::string_view(e.second);
    return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const Entry& e : entries_)
        if (iequals(e.first, name)) values.emplace_back(e.second);
    return values;
}

std::size_t Headers::remove(std::string_view name) {
    const std::size_t before = entries_.size();
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& e) { return iequals(e.first, name); }),
                   entries_.end());
    return before - entries_.size();
}

}  // namespace interloop::spider
