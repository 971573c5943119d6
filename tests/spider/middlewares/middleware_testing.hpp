#pragma once
// Helpers for the middleware tests: log capture at debug level, results by type.

#include <optional>
#include <variant>

#include "reactor/log.hpp"
#include "spider/middleware.hpp"
#include "tests/support/log_capture.hpp"

namespace interloop::spider::testing {

/// Keeps a test's log lines out of the test output (they are recorded, not printed): the
/// fixture of every middleware test suite.
struct QuietLog : interloop::testing::LogCapture {};

/// Records every log line, debug included, for the lifetime of the object (and restores the
/// previous level afterwards): middlewares log drops and retries at debug level.
class DebugLogCapture : public interloop::testing::LogCapture {
public:
    DebugLogCapture() : previous_(log::level()) { log::set_level(log::Level::debug); }
    ~DebugLogCapture() { log::set_level(previous_); }

    /// Number of lines at `level` whose message is exactly `message`.
    std::size_t count_exact(log::Level level, std::string_view message) const {
        std::size_t n = 0;
        for (const auto& line : lines)
            if (line.level == level && line.message == message) ++n;
        return n;
    }

private:
    log::Level previous_;
};

/// The request in a downloader middleware's result, or nullptr.
inline const Request* as_request(const DownloadResult& result) {
    return std::get_if<Request>(&result);
}
inline const Request* as_request(const std::optional<DownloadResult>& result) {
    return result ? std::get_if<Request>(&*result) : nullptr;
}
/// The response in a downloader middleware's result, or nullptr.
inline const Response* as_response(const DownloadResult& result) {
    return std::get_if<Response>(&result);
}

}  // namespace interloop::spider::testing
