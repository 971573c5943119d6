#pragma once
// Transparent string hashing for the per-thread caches, so lookups by string_view do not
// allocate a key.

#include <cstddef>
#include <functional>
#include <string_view>

namespace interloop::spider::detail {

/// Hashes std::string and std::string_view alike (use with std::equal_to<>).
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

}  // namespace interloop::spider::detail
