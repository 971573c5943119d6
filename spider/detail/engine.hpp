#pragma once
// Engine: moves requests from the scheduler through the downloader to the scraper, and decides
// when the spider is idle (Scrapy's ExecutionEngine).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"
#include "spider/detail/scraper.hpp"
#include "spider/downloader.hpp"
#include "spider/middleware.hpp"
#include "spider/scheduler.hpp"

namespace interloop::spider {
class Crawler;
}

namespace interloop::spider::detail {

/// The wall-clock time as Scrapy prints `start_time` and `finish_time` (UTC, microseconds).
std::string wall_clock_text();

/// The crawl loop. Work is pulled (start requests, then the scheduler) whenever something
/// finished, up to the downloader's concurrency; the "is it idle?" question is asked at the
/// same moments, so the spider closes in the reactor turn after its last work ended.
class Engine {
public:
    Engine(Crawler& crawler, std::unique_ptr<Downloader> downloader);
    ~Engine();

    void add_downloader_middleware(std::unique_ptr<DownloaderMiddleware> middleware, int order);
    Scraper& scraper() noexcept { return scraper_; }
    Downloader& downloader() noexcept { return *downloader_; }

    /// Opens the spider; the Deferred fires with the close reason.
    Deferred<std::string> open();
    /// Closes at once ("shutdown" if still open), without waiting for anything in flight:
    /// cancels it, then completes the close (spider_closed, crawl()'s Deferred). For the
    /// Crawler's destructor, while the Crawler is still whole; idempotent.
    void shutdown();
    /// Starts closing with `reason` (no effect if not open or already closing).
    void close(std::string reason);
    /// Sends `request` to the scheduler (Scrapy's `engine.crawl`).
    void schedule(Request request);
    /// Downloads `request` through the downloader middlewares (not the scheduler), counting as
    /// a download in progress; fires with the final response (any status) or fails.
    Deferred<Response> fetch(Request request);
    /// Asks for a pass of the loop in the next reactor turn (coalesced).
    void wake();
    /// Something the close waits for has finished (checked only while closing).
    void work_finished();

    bool open_now() const noexcept { return state_ == State::open; }
    bool closing() const noexcept { return state_ == State::closing; }
    const std::optional<std::string>& close_reason() const noexcept { return close_reason_; }

    /// Requests between the scheduler and the scraper: in the middlewares or the downloader.
    std::size_t downloads_in_progress() const noexcept { return downloads_in_progress_; }
    /// True until the spider's `start()` ended (or the close dropped it).
    bool reading_start() const noexcept { return start_.has_value(); }
    std::size_t scheduled() const noexcept { return scheduler_.size(); }
    /// True when nothing at all is left to do.
    bool idle() const noexcept;

private:
    enum class State { created, open, closing, closed };
    /// An inline fetch: who waits for its response, and the download it is waiting on.
    struct InlineFetch {
        Deferred<Response> result;
        std::optional<Deferred<Response>> in_flight;
    };

    void pump();
    bool needs_backout() const noexcept;
    bool feed_start_request();
    void start_ended();
    void drain_start();
    // `target` is null for the crawl's own downloads (their results go to the scraper).
    void download(Request request, std::shared_ptr<InlineFetch> target);
    void handle_download_result(DownloadResult result, std::shared_ptr<InlineFetch> target);
    void handle_download_failure(Failure failure, std::shared_ptr<const Request> request,
                                 std::shared_ptr<InlineFetch> target);
    void download_done();
    void spider_is_idle();
    void arm_idle_recheck();
    void begin_close(std::string reason);
    void tear_down();
    void finish_close();
    void record_close_stats();

    Crawler& crawler_;
    std::unique_ptr<Downloader> downloader_;
    Scheduler scheduler_;
    Scraper scraper_;
    Ordered<DownloaderMiddleware> middlewares_;
    std::optional<OutputStream> start_;  // the spider's start(), until it ended
    bool start_failed_ = false;
    std::size_t downloads_in_progress_ = 0;
    std::size_t concurrent_requests_;
    std::size_t max_active_size_;
    Duration idle_recheck_interval_;
    std::optional<DelayedCall> idle_recheck_;
    bool pump_queued_ = false;
    bool in_pump_ = false;
    bool shut_down_ = false;
    double started_at_ = 0.0;
    State state_ = State::created;
    std::optional<std::string> close_reason_;
    Deferred<std::string> closed_;
    // Calls queued on the reactor check it: the engine may be gone when they run.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace interloop::spider::detail
