#include "reactor/log.hpp"

#include <fmt/chrono.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <utility>

namespace interloop::log {
namespace {

std::mutex sink_mutex;
Sink current_sink;
std::atomic<Level> current_level{Level::info};

void print_to_stderr(Level level, std::string_view logger, std::string_view message) {
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    fmt::print(stderr, "{:%Y-%m-%d %H:%M:%S} [{}] {}: {}\n", now, logger, level_name(level),
               message);
}

}  // namespace

std::string_view level_name(Level level) {
    switch (level) {
        case Level::debug:
            return "DEBUG";
        case Level::info:
            return "INFO";
        case Level::warning:
            return "WARNING";
        case Level::error:
            return "ERROR";
        case Level::critical:
            return "CRITICAL";
    }
    return "?";
}

Sink set_sink(Sink sink) {
    std::lock_guard lock(sink_mutex);
    return std::exchange(current_sink, std::move(sink));
}

void set_level(Level level) {
    current_level = level;
}
Level level() {
    return current_level;
}

void write(Level level, std::string_view logger, std::string_view message) {
    std::lock_guard lock(sink_mutex);
    if (current_sink)
        current_sink(level, logger, message);
    else
        print_to_stderr(level, logger, message);
}

}  // namespace interloop::log
