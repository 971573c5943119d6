// Engine: when the spider is idle, and how it closes (gracefully, or at once at shutdown).

#include <chrono>
#include <ctime>

#include "reactor/log.hpp"
#include "spider/crawler.hpp"
#include "spider/detail/engine.hpp"
#include "spider/errors.hpp"

namespace interloop::spider::detail {
namespace {

constexpr std::string_view logger = "interloop.engine";

}  // namespace

// "2026-11-25 19:59:35.123456"
std::string wall_clock_text() {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto micros = duration_cast<microseconds>(now.time_since_epoch()).count() % 1000000;
    std::time_t t = system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return fmt::format("{}.{:06d}", text, micros);
}

bool Engine::idle() const noexcept {
    return state_ == State::open && downloads_in_progress_ == 0 && scheduler_.empty() && !start_ &&
           scraper_.idle();
}

void Engine::spider_is_idle() {
    bool keep_open = false;
    std::optional<std::string> close_with;
    crawler_.signals().spider_idle.send_with(
        [&](std::exception_ptr error) {
            try {
                std::rethrow_exception(error);
            } catch (const DontCloseSpider&) {
                keep_open = true;
            } catch (const CloseSpider& close) {
                if (!close_with) close_with = close.reason();
            } catch (...) {
                log_signal_handler_error("spider_idle", error);
            }
        },
        crawler_.spider());
    if (close_with) return close(*close_with);
    if (!idle()) return wake();  // a handler scheduled work (not all of it was filtered)
    if (keep_open) return arm_idle_recheck();
    // Called from the loop's pass, at the top of a reactor callback: close in this same turn.
    begin_close(start_failed_ ? "start_error" : "finished");
    tear_down();
}

void Engine::arm_idle_recheck() {
    if (idle_recheck_ && idle_recheck_->active()) return;
    idle_recheck_ = crawler_.time().call_later(idle_recheck_interval_, [this] {
        if (idle()) spider_is_idle();
    });
}

void Engine::close(std::string reason) {
    if (state_ != State::open) return;
    begin_close(std::move(reason));
    // Tear down later: close() may be called from deep inside a callback or the downloader.
    crawler_.time().call_soon([this, alive = alive_] {
        if (*alive) tear_down();
    });
}

void Engine::begin_close(std::string reason) {
    state_ = State::closing;
    close_reason_ = std::move(reason);
    log::emit(log::Level::info, logger, "Closing spider ({})", *close_reason_);
    if (idle_recheck_ && idle_recheck_->active()) idle_recheck_->cancel();
}

void Engine::tear_down() {
    while (scheduler_.next()) {
    }
    downloader_->close();
    scraper_.cancel_pending();
    if (start_) {
        // start() is not destroyed mid-flight: what it awaits is cancelled and the close
        // waits for it to end (its items still go to the pipelines, its requests are dropped).
        start_->bind(&crawler_.stream_context(), [this] { drain_start(); });
        start_->cancel();
        drain_start();
    }
    // The cancellations may have finished the last work already (work_finished then queued
    // the end); otherwise work_finished ends it when the last pipeline is done.
    if (state_ == State::closing && downloads_in_progress_ == 0 && scraper_.idle() && !start_) {
        state_ = State::closed;
        finish_close();
    }
}

void Engine::work_finished() {
    if (state_ != State::closing || downloads_in_progress_ > 0 || !scraper_.idle() || start_)
        return;
    state_ = State::closed;
    crawler_.time().call_soon([this, alive = alive_] {
        if (*alive) finish_close();
    });
}

void Engine::record_close_stats() {
    auto& stats = crawler_.stats();
    stats.set_value("finish_reason", *close_reason_);
    stats.set_value("finish_time", wall_clock_text());
    stats.set_value("elapsed_time_seconds", crawler_.time().seconds() - started_at_);
    const SchedulerStats& queued = scheduler_.stats();
    stats.set_value("scheduler/enqueued", std::int64_t(queued.enqueued));
    stats.set_value("scheduler/dequeued", std::int64_t(queued.dequeued));
    if (queued.filtered > 0) stats.set_value("dupefilter/filtered", std::int64_t(queued.filtered));
    const DownloaderStats& fetched = downloader_->stats();
    stats.set_value("downloader/request_count", std::int64_t(fetched.requests));
    stats.set_value("downloader/response_count", std::int64_t(fetched.responses));
    stats.set_value("downloader/response_bytes", std::int64_t(fetched.response_bytes));
    for (const auto& [status, count] : fetched.responses_by_status)
        stats.set_value(fmt::format("downloader/response_status_count/{}", status),
                        std::int64_t(count));
    if (fetched.errors() > 0) {
        stats.set_value("downloader/exception_count", std::int64_t(fetched.errors()));
        for (std::size_t i = 0; i < download_error_reason_count; ++i) {
            if (fetched.errors_by_reason[i] == 0) continue;
            stats.set_value(fmt::format("downloader/exception_type_count/{}",
                                        to_string(static_cast<DownloadErrorReason>(i))),
                            std::int64_t(fetched.errors_by_reason[i]));
        }
    }
}

void Engine::finish_close() {
    scraper_.close_spider();
    record_close_stats();
    const std::string& reason = *close_reason_;
    crawler_.signals().spider_closed.send(crawler_.spider(), reason);
    log::emit(log::Level::info, logger, "Spider closed ({})", reason);
    crawler_.signals().engine_stopped.send();
    Deferred<std::string> closed = closed_;
    closed.callback(std::string(reason));
}

void Engine::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    if (idle_recheck_ && idle_recheck_->active()) idle_recheck_->cancel();
    if (state_ == State::open) begin_close("shutdown");
    if (state_ == State::closing) {
        // tear_down without waiting: what is cancelled settles now or never reaches us.
        while (scheduler_.next()) {
        }
        downloader_->close();
        scraper_.cancel_pending();
        if (start_) start_->cancel();
        state_ = State::closed;
    }
    *alive_ = false;  // calls still queued on the reactor must not run into a dead engine
    // crawl()'s Deferred never fails and is never dropped: the close completes now.
    if (state_ == State::closed && !closed_.called()) {
        try {
            finish_close();
        } catch (...) {
            log::emit(log::Level::error, logger, "Error closing the spider at shutdown: {}",
                      Failure().describe());
        }
    }
}

void Engine::drain_start() {
    while (start_) {
        switch (start_->advance()) {
            case OutputStream::Step::pending:
                return;  // on_ready drains on
            case OutputStream::Step::done:
                return start_ended();
            case OutputStream::Step::output:
                break;
        }
        Output output = start_->take_output();
        if (auto* item = std::get_if<Item>(&output))
            scraper_.process_start_item(std::move(*item));  // items are never lost
        // requests are dropped: the spider is closing
    }
}

}  // namespace interloop::spider::detail
