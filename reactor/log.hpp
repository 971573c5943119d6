#pragma once
// The library's logger: fmt-formatted lines sent to one replaceable sink.

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace interloop::log {

enum class Level { debug, info, warning, error, critical };

/// "DEBUG", "INFO", ... as printed in log lines.
std::string_view level_name(Level level);

/// Where log lines go: `(level, logger name, message)`. The default prints to stderr
/// lines like `2026-11-25 16:52:07 [interloop.defer] ERROR: message`.
using Sink = std::function<void(Level, std::string_view logger, std::string_view message)>;

/// Replaces the sink (pass nullptr to restore the default); returns the previous one.
Sink set_sink(Sink sink);
/// Lines below this level are dropped before formatting (default: info).
void set_level(Level level);
Level level();

/// Sends one already-formatted message to the sink.
void write(Level level, std::string_view logger, std::string_view message);

/// Formats and sends a message when `level` is enabled.
template <class... Args>
void emit(Level lvl, std::string_view logger, fmt::format_string<Args...> format, Args&&... args) {
    if (lvl < level()) return;
    write(lvl, logger, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace interloop::log
