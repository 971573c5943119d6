#pragma once
// Which Settings to read a middleware setting from: the given ones, or the engine's defaults.

#include <string_view>

#include "spider/settings.hpp"

namespace interloop::spider::detail {

/// `settings` if it sets `name`, else `Settings::defaults()`: a middleware built from a
/// partial Settings (a test's, a user's) gets Scrapy's default for what is missing, as the
/// engine's merged settings would give it.
inline const Settings& setting_source(const Settings& settings, std::string_view name) {
    return settings.contains(name) ? settings : Settings::defaults();
}

}  // namespace interloop::spider::detail
