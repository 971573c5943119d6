#pragma once
// Headers: an HTTP header list with case-insensitive lookup, for requests and responses.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace interloop::spider {

/// True if `a` and `b` are equal ignoring ASCII case (how header names compare).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// HTTP headers in the order they were added: a small vector of (name, value) pairs, looked up
/// by name ignoring ASCII case. A name may appear several times (`Set-Cookie`); `add` appends,
/// `set` replaces. Names and values are kept as given (no folding or trimming).
class Headers {
public:
    using Entry = std::pair<std::string, std::string>;
    using const_iterator = std::vector<Entry>::const_iterator;

    Headers() = default;
    /// `Headers{{"Accept", "text/html"}, {"X-Trace", "1"}}`.
    Headers(std::initializer_list<Entry> entries) : entries_(entries) {}

    /// Appends a header (keeps other values of the same name).
    void add(std::string name, std::string value) {
        entries_.emplace_back(std::move(name), std::move(value));
    }
    /// Replaces every header called `name` by one with `value` (appended if absent).
    void set(std::string_view name, std::string value);
    /// The first value of `name`, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    /// Every value of `name`, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    /// True if a header called `name` is present.
    bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
    /// Removes every header called `name`; returns how many were removed.
    std::size_t remove(std::string_view name);

    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    void clear() noexcept { entries_.clear(); }
    void reserve(std::size_t n) { entries_.reserve(n); }
    const_iterator begin() const noexcept { return entries_.begin(); }
    const_iterator end() const noexcept { return entries_.end(); }

    friend bool operator==(const Headers&, const Headers&) = default;

private:
    std::vector<Entry> entries_;
};

}  // namespace interloop::spider
