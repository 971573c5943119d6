#pragma once
// Reading an integer from a request's Meta whatever integer type the spider stored it as.

#include <cstdint>
#include <optional>
#include <string_view>

#include "spider/meta.hpp"

namespace interloop::spider::detail {

/// The value under `key` if it is an `int`, `long` or `long long` (Meta keeps C++ types, and
/// `meta.set("max_retry_times", 3)` and `meta.set("max_retry_times", 3L)` should both work);
/// nullopt if absent or of another type.
inline std::optional<std::int64_t> meta_int(const Meta& meta, std::string_view key) {
    if (const int* v = meta.get<int>(key)) return *v;
    if (const long* v = meta.get<long>(key)) return *v;
    if (const long long* v = meta.get<long long>(key)) return *v;
    return std::nullopt;
}

}  // namespace interloop::spider::detail
