#pragma once
// Captures the library's log lines for the lifetime of the object.

#include <string>
#include <vector>

#include "reactor/log.hpp"

namespace interloop::testing {

/// Installs a sink that records every line; restores the previous sink when destroyed.
class LogCapture {
public:
    struct Line {
        log::Level level;
        std::string logger;
        std::string message;
    };

    LogCapture() {
        previous_ = log::set_sink(
            [this](log::Level level, std::string_view logger, std::string_view message) {
                lines.push_back({level, std::string(logger), std::string(message)});
            });
    }
    ~LogCapture() { log::set_sink(std::move(previous_)); }
    LogCapture(const LogCapture&) = delete;

    /// Number of lines whose message contains `text`.
    std::size_t count(std::string_view text) const {
        std::size_t n = 0;
        for (const auto& line : lines)
            if (line.message.find(text) != std::string::npos) ++n;
        return n;
    }

    std::vector<Line> lines;

private:
    log::Sink previous_;
};

}  // namespace interloop::testing
