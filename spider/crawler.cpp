// Crawler: settings, components and the engine of one crawl.

#include "spider/crawler.hpp"

#include <fmt/format.h>

#include "bridge/asio_reactor.hpp"
#include "reactor/deferred_list.hpp"
#include "reactor/errors.hpp"
#include "spider/detail/engine.hpp"
#include "spider/feed_export.hpp"
#include "spider/log_stats.hpp"
#include "spider/middlewares/depth.hpp"
#include "spider/middlewares/http_error.hpp"
#include "spider/middlewares/offsite.hpp"
#include "spider/middlewares/retry.hpp"
#include "spider/middlewares/url_length.hpp"
#include "spider/middlewares/user_agent.hpp"
#include "spider/stats_dump.hpp"

namespace interloop::spider {

DownloaderSettings downloader_settings(const Settings& settings) {
    DownloaderSettings d;
    auto count = [&](std::string_view name, std::size_t fallback) {
        std::int64_t value = settings.get_int(name, std::int64_t(fallback));
        if (value < 0) throw SettingsError(fmt::format("setting {}: must not be negative", name));
        return std::size_t(value);
    };
    d.concurrent_requests = count("CONCURRENT_REQUESTS", d.concurrent_requests);
    d.concurrent_requests_per_domain =
        count("CONCURRENT_REQUESTS_PER_DOMAIN", d.concurrent_requests_per_domain);
    d.download_delay = settings.get_seconds("DOWNLOAD_DELAY", d.download_delay.count());
    d.randomize_download_delay =
        settings.get_bool("RANDOMIZE_DOWNLOAD_DELAY", d.randomize_download_delay);
    d.download_timeout = settings.get_seconds("DOWNLOAD_TIMEOUT", d.download_timeout.count());
    d.download_maxsize = count("DOWNLOAD_MAXSIZE", d.download_maxsize);
    d.redirect_enabled = settings.get_bool("REDIRECT_ENABLED", d.redirect_enabled);
    d.redirect_max_times = int(settings.get_int("REDIRECT_MAX_TIMES", d.redirect_max_times));
    d.user_agent = settings.get("USER_AGENT", d.user_agent);
    d.compression = settings.get_bool("COMPRESSION_ENABLED", d.compression);
    return d;
}

Settings Crawler::merged_settings(const Spider& spider, const Settings& given) {
    Settings merged = Settings::defaults();
    merged.update(spider.custom_settings);
    merged.update(given);
    return merged;
}

Crawler::Crawler(Reactor& reactor, Spider& spider, Settings settings)
    : time_(reactor), spider_(spider), settings_(merged_settings(spider, settings)) {
    use_reactor_for_streams(reactor);
    engine_ = std::make_unique<detail::Engine>(
        *this, std::make_unique<Downloader>(reactor, downloader_settings(settings_)));
    install_builtins();
}

Crawler::Crawler(ReactorTime& time, Spider& spider, Settings settings,
                 std::unique_ptr<Transport> transport)
    : time_(time), spider_(spider), settings_(merged_settings(spider, settings)) {
    engine_ = std::make_unique<detail::Engine>(
        *this,
        std::make_unique<Downloader>(time, downloader_settings(settings_), std::move(transport)));
    if (auto* reactor = dynamic_cast<Reactor*>(&time)) use_reactor_for_streams(*reactor);
    install_builtins();
}

void Crawler::use_reactor_for_streams(Reactor& reactor) {
    stream_context_.reactor = &reactor;
    if (auto* asio_reactor = dynamic_cast<AsioReactor*>(&reactor))
        stream_context_.executor = asio_reactor->executor();  // shared-loop mode
}

Crawler::~Crawler() {
    engine_->shutdown();  // while this Crawler is whole: what it cancels may call back into it
    engine_.reset();      // cancels what is in flight while the extensions still listen
    extensions_.clear();
    if (spider_.crawler_ == this) spider_.crawler_ = nullptr;
}

void Crawler::install_builtins() {
    // Scrapy's positions (DOWNLOADER_MIDDLEWARES_BASE, SPIDER_MIDDLEWARES_BASE).
    add_downloader_middleware(std::make_unique<UserAgentMiddleware>(settings_.get("USER_AGENT")),
                              500);
    add_downloader_middleware(std::make_unique<RetryMiddleware>(settings_, stats_), 550);
    add_spider_middleware(std::make_unique<HttpErrorMiddleware>(settings_, stats_), 50);
    add_spider_middleware(std::make_unique<OffsiteMiddleware>(spider_.allowed_domains, stats_),
                          500);
    add_spider_middleware(std::make_unique<UrlLengthMiddleware>(settings_, stats_), 800);
    add_spider_middleware(std::make_unique<DepthMiddleware>(settings_, stats_), 900);
    // StatsDump last: it dumps what the others record at spider_closed.
    emplace_extension<FeedExports>();
    emplace_extension<LogStats>();
    emplace_extension<StatsDump>();
}

void Crawler::add_downloader_middleware(std::unique_ptr<DownloaderMiddleware> middleware,
                                        int order) {
    engine_->add_downloader_middleware(std::move(middleware), order);
}

void Crawler::add_spider_middleware(std::unique_ptr<SpiderMiddleware> middleware, int order) {
    engine_->scraper().add_spider_middleware(std::move(middleware), order);
}

void Crawler::add_pipeline(std::unique_ptr<ItemPipeline> pipeline, int order) {
    engine_->scraper().add_pipeline(std::move(pipeline), order);
}

Deferred<std::string> Crawler::crawl() {
    spider_.crawler_ = this;
    return engine_->open();
}

void Crawler::close_spider(std::string reason) {
    engine_->close(std::move(reason));
}

void Crawler::schedule(Request request) {
    engine_->schedule(std::move(request));
}

Deferred<Response> Crawler::fetch(Request request) {
    return engine_->fetch(std::move(request));
}

Deferred<std::vector<Response>> Crawler::fetch_all(std::vector<Request> requests) {
    std::vector<Deferred<Response>> fetches;
    fetches.reserve(requests.size());
    for (Request& request : requests) fetches.push_back(fetch(std::move(request)));
    return gather_results(fetches, true).add_errback([fetches](const Failure& failure) mutable {
        for (auto& other : fetches) other.cancel();  // pointless now; fired ones ignore it
        const auto* first = failure.get<FirstError>();
        return first ? first->failure() : failure;
    });
}

void Crawler::set_executor(boost::asio::any_io_executor executor) {
    if (!stream_context_.reactor)
        throw std::logic_error("Crawler::set_executor: this Crawler has no Reactor");
    stream_context_.executor = std::move(executor);
}

bool Crawler::running() const noexcept {
    return engine_->open_now() || engine_->closing();
}

const std::optional<std::string>& Crawler::close_reason() const noexcept {
    return engine_->close_reason();
}

Downloader& Crawler::downloader() noexcept {
    return engine_->downloader();
}

}  // namespace interloop::spider
