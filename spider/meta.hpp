#pragma once
// Meta: a request's typed per-request data (Scrapy's `request.meta`).

#include <algorithm>
#include <any>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace interloop::spider {

/// Named values of any copyable type, carried by a Request from the spider to its callback
/// and through the middlewares (Scrapy's `request.meta`). Keys are strings; each value keeps
/// its C++ type and is read back with that type:
///
/// ```cpp
/// request.meta.set("depth", 3);
/// if (const int* depth = request.meta.get<int>("depth")) use(*depth);
/// ```
///
/// Few entries are expected: it is a small vector searched linearly, and an empty Meta
/// allocates nothing.
class Meta {
public:
    /// Stores `value` under `key`, replacing what was there (whatever its type).
    template <class T>
    void set(std::string_view key, T value) {
        if (auto* slot = find(key))
            *slot = std::move(value);
        else
            entries_.emplace_back(std::string(key), std::any(std::move(value)));
    }

    /// The value under `key` if there is one and it is a `T`, else nullptr.
    template <class T>
    T* get(std::string_view key) noexcept {
        std::any* slot = find(key);
        return slot ? std::any_cast<T>(slot) : nullptr;
    }
    template <class T>
    const T* get(std::string_view key) const noexcept {
        const std::any* slot = const_cast<Meta*>(this)->find(key);
        return slot ? std::any_cast<T>(slot) : nullptr;
    }

    /// The value under `key` if it is a `T`, else `fallback`.
    template <class T>
    T value_or(std::string_view key, T fallback) const {
        const T* value = get<T>(key);
        return value ? *value : std::move(fallback);
    }

    /// True if something is stored under `key` (of any type).
    bool contains(std::string_view key) const noexcept {
        return const_cast<Meta*>(this)->find(key) != nullptr;
    }
    /// Removes `key`; returns whether it was there.
    bool erase(std::string_view key) {
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const auto& e) { return e.first == key; });
        if (it == entries_.end()) return false;
        entries_.erase(it);
        return true;
    }
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

private:
    std::any* find(std::string_view key) noexcept {
        for (auto& [name, value] : entries_)
            if (name == key) return &value;
        return nullptr;
    }

    std::vector<std::pair<std::string, std::any>> entries_;
};

}  // namespace interloop::spider
