#pragma once
// Crawler: one crawl of one spider — its components, settings, stats and signals.

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/reactor.hpp"
#include "spider/downloader.hpp"
#include "spider/middleware.hpp"
#include "spider/pipeline.hpp"
#include "spider/settings.hpp"
#include "spider/signals.hpp"
#include "spider/spider.hpp"
#include "spider/stats.hpp"

namespace interloop::spider {

namespace detail {
class Engine;
}

/// Something a Crawler owns for the length of a crawl and that works through its signals and
/// stats (Scrapy's extensions: feed exports, the progress log, the stats dump).
class Extension {
public:
    virtual ~Extension() = default;
};

/// Runs one spider (Scrapy's Crawler + ExecutionEngine): start requests → spider middlewares →
/// scheduler (priority queue, duplicate filter) → downloader middlewares → downloader →
/// callback → each output through the spider middlewares → items to the pipelines, requests to
/// the scheduler.
///
/// Settings are the defaults, then the spider's `custom_settings`, then the ones given here.
/// The built-in components are installed at Scrapy's positions: downloader middlewares
/// user agent (500), retry (550); spider middlewares HTTP error (50), offsite (500),
/// URL length (800), depth (900); extensions for the progress log (LOGSTATS_INTERVAL), feeds
/// (FEEDS) and the stats dump (STATS_DUMP_FILE).
///
/// The spider closes when, and only when, nothing is left: start requests all read, the
/// scheduler empty, no download in progress, no callback (or its Deferred) unfinished, no
/// item in a pipeline — then `spider_idle` is sent and, unless a handler added work or threw
/// DontCloseSpider, the spider closes with reason "finished" within the same reactor turn.
/// `close_spider(reason)` (or CloseSpider thrown from user code) closes it early: queued
/// requests are dropped, downloads and unfinished callback Deferreds are cancelled, items
/// already in pipelines are finished.
///
/// Single-threaded: use it on its reactor's thread. The Spider must outlive the Crawler.
class Crawler {
public:
    /// A crawl on `reactor` with the libcurl downloader.
    Crawler(Reactor& reactor, Spider& spider, Settings settings = {});
    /// A crawl timed by `time` (a `Clock` in tests) with any download transport.
    Crawler(ReactorTime& time, Spider& spider, Settings settings,
            std::unique_ptr<Transport> transport);
    Crawler(const Crawler&) = delete;
    Crawler& operator=(const Crawler&) = delete;
    /// Closes the spider if it is still open ("shutdown") without waiting for pipelines;
    /// what coroutines await is cancelled, and `crawl()`'s Deferred fires with the reason.
    ~Crawler();

    /// Adds a downloader middleware at position `order` (lower runs first on requests).
    void add_downloader_middleware(std::unique_ptr<DownloaderMiddleware> middleware,
                                   int order = 543);
    /// Adds a spider middleware at position `order`.
    void add_spider_middleware(std::unique_ptr<SpiderMiddleware> middleware, int order = 543);
    /// Adds an item pipeline at position `order` (lower runs first).
    void add_pipeline(std::unique_ptr<ItemPipeline> pipeline, int order = 300);
    /// Constructs an extension `T(crawler, args...)` owned by this crawler.
    template <std::derived_from<Extension> T, class... Args>
    T& emplace_extension(Args&&... args) {
        auto extension = std::make_unique<T>(*this, std::forward<Args>(args)...);
        T& ref = *extension;
        extensions_.push_back(std::move(extension));
        return ref;
    }

    /// Opens the spider and starts crawling. The Deferred fires with the close reason once
    /// the spider has closed (after `spider_closed` and `engine_stopped` were sent); it never
    /// fails. Call once; components must be added before.
    Deferred<std::string> crawl();
    /// Closes the spider with `reason` (Scrapy's `engine.close_spider`); nothing if it is not
    /// open or already closing. The close completes later (never inside this call).
    void close_spider(std::string reason);
    /// Schedules `request` (Scrapy's `engine.crawl`), e.g. from a `spider_idle` handler or a
    /// timer: through the scheduler, as if a callback had yielded it (no spider middlewares).
    /// Ignored, with a warning, when the spider is not open.
    void schedule(Request request);

    /// Downloads `request` now, for the caller (Scrapy's `engine.download`, the inline fetch of
    /// scrapy-inline-requests): through the downloader middlewares (retries included) but not
    /// the scheduler or the duplicate filter, within the concurrency limits. Fires with the
    /// final response, whatever its status, or fails with the download's error; until then the
    /// spider stays open. Cancelling the Deferred cancels the download. If the spider closes
    /// first, the Deferred fails (DownloadError "cancelled"); if it is not open, it fails at
    /// once (std::logic_error).
    Deferred<Response> fetch(Request request);
    /// Several inline downloads at once: the responses in the order of `requests`, or the
    /// first failure (its own exception, not wrapped), which cancels the downloads still in
    /// flight. Cancelling the Deferred cancels them all.
    Deferred<std::vector<Response>> fetch_all(std::vector<Request> requests);

    /// Lets coroutine callbacks `co_await` Asio awaitables, run on `executor` (two-loop mode:
    /// another thread's io_context). A Crawler on an AsioReactor uses the reactor's own
    /// executor without this call. Needs the Crawler made with a Reactor (not a bare clock).
    void set_executor(boost::asio::any_io_executor executor);
    /// What coroutine callbacks of this crawl await with.
    const StreamContext& stream_context() const noexcept { return stream_context_; }

    /// True between `crawl()` and the spider's close.
    bool running() const noexcept;
    /// The close reason, once closing has started.
    const std::optional<std::string>& close_reason() const noexcept;

    Spider& spider() noexcept { return spider_; }
    const Settings& settings() const noexcept { return settings_; }
    StatsCollector& stats() noexcept { return stats_; }
    Signals& signals() noexcept { return signals_; }
    ReactorTime& time() noexcept { return time_; }
    Downloader& downloader() noexcept;
    /// Internal: the engine (tests look at its counters).
    detail::Engine& engine() noexcept { return *engine_; }

private:
    static Settings merged_settings(const Spider& spider, const Settings& given);
    void install_builtins();
    void use_reactor_for_streams(Reactor& reactor);

    ReactorTime& time_;
    StreamContext stream_context_;
    Spider& spider_;
    Settings settings_;
    StatsCollector stats_;
    Signals signals_;
    std::vector<std::unique_ptr<Extension>> extensions_;
    std::unique_ptr<detail::Engine> engine_;
};

/// DownloaderSettings read from `settings` (CONCURRENT_REQUESTS, DOWNLOAD_DELAY, ...).
DownloaderSettings downloader_settings(const Settings& settings);

}  // namespace interloop::spider
