// Engine: the crawl loop — start requests, the scheduler, downloads through the downloader
// middlewares, inline fetches. (Idle and close: engine_close.cpp.)

#include "spider/detail/engine.hpp"

#include <algorithm>

#include "reactor/log.hpp"
#include "spider/crawler.hpp"
#include "spider/errors.hpp"

namespace interloop::spider::detail {
namespace {

constexpr std::string_view logger = "interloop.engine";

QueueOrder queue_order(const Settings& settings) {
    std::string order = settings.get("SCHEDULER_ORDER", "lifo");
    if (order == "lifo") return QueueOrder::lifo;
    if (order == "fifo") return QueueOrder::fifo;
    throw SettingsError("setting SCHEDULER_ORDER: expected 'lifo' or 'fifo', got '" + order + "'");
}

}  // namespace

Engine::Engine(Crawler& crawler, std::unique_ptr<Downloader> downloader)
    : crawler_(crawler),
      downloader_(std::move(downloader)),
      scheduler_(queue_order(crawler.settings())),
      scraper_(crawler, *this),
      concurrent_requests_(downloader_->settings().concurrent_requests),
      max_active_size_(
          std::size_t(crawler.settings().get_int("SCRAPER_SLOT_MAX_ACTIVE_SIZE", 5000000))),
      idle_recheck_interval_(crawler.settings().get_seconds("IDLE_RECHECK_INTERVAL", 5.0)) {}

Engine::~Engine() {
    shutdown();
}

void Engine::add_downloader_middleware(std::unique_ptr<DownloaderMiddleware> middleware,
                                       int order) {
    insert_ordered(middlewares_, std::move(middleware), order);
}

Deferred<std::string> Engine::open() {
    if (state_ != State::created) throw std::logic_error("Crawler::crawl: called twice");
    state_ = State::open;
    started_at_ = crawler_.time().seconds();
    auto& stats = crawler_.stats();
    stats.set_value("start_time", wall_clock_text());
    log::emit(log::Level::info, logger, "Spider opened: {}", crawler_.spider().name());
    crawler_.signals().engine_started.send();
    for (auto& [order, middleware] : middlewares_) middleware->open_spider(crawler_);
    scraper_.open_spider();
    try {
        start_.emplace(crawler_.spider().start());
        start_->bind(&crawler_.stream_context(), [this] { wake(); });
    } catch (...) {  // a start() that is not a coroutine threw
        start_failed_ = true;
        scraper_.handle_start_error(Failure());
    }
    crawler_.signals().spider_opened.send(crawler_.spider());
    wake();
    return closed_;
}

void Engine::wake() {
    if (pump_queued_ || state_ != State::open) return;
    pump_queued_ = true;
    crawler_.time().call_soon([this, alive = alive_] {
        if (!*alive) return;
        pump_queued_ = false;
        pump();
    });
}

bool Engine::needs_backout() const noexcept {
    return state_ != State::open || downloads_in_progress_ >= concurrent_requests_ ||
           scraper_.active_bytes() > max_active_size_;
}

void Engine::pump() {
    if (state_ != State::open || in_pump_) return;
    in_pump_ = true;
    while (!needs_backout()) {
        if (auto request = scheduler_.next()) {
            download(std::move(*request), nullptr);
        } else if (!feed_start_request()) {
            break;
        }
    }
    in_pump_ = false;
    if (idle()) spider_is_idle();
}

bool Engine::feed_start_request() {
    while (start_ && state_ == State::open) {  // an item's pipeline may close the spider
        switch (start_->advance()) {
            case OutputStream::Step::pending:
                return false;  // on_ready wakes the loop
            case OutputStream::Step::done:
                start_ended();
                return false;
            case OutputStream::Step::output:
                break;
        }
        Output output = start_->take_output();
        if (auto* item = std::get_if<Item>(&output)) {
            scraper_.process_start_item(std::move(*item));
            continue;
        }
        Request& request = std::get<Request>(output);
        if (scraper_.process_start_request(request)) {
            schedule(std::move(request));
            return true;
        }
    }
    return false;
}

void Engine::start_ended() {
    std::exception_ptr error = start_->error();
    start_.reset();
    if (error) {
        Failure failure(error);
        if (state_ == State::open) {
            if (!failure.check<CloseSpider>()) start_failed_ = true;
            scraper_.handle_start_error(failure);
        } else if (!scraper_.cancelled_by_close(failure)) {
            scraper_.handle_start_error(failure);
        }
    }
    if (state_ == State::closing) work_finished();
}

void Engine::schedule(Request request) {
    if (state_ != State::open) {
        log::emit(log::Level::warning, logger, "Ignoring request <{} {}>: the spider is not open",
                  request.method, request.url());
        return;
    }
    crawler_.signals().request_scheduled.send(request);
    if (!scheduler_.enqueue(request)) crawler_.signals().request_dropped.send(request);
    if (!in_pump_) wake();
}

Deferred<Response> Engine::fetch(Request request) {
    if (state_ == State::closing || state_ == State::closed) {
        std::string url = request.url();
        return fail<Response>(Failure::from(
            DownloadError(DownloadErrorReason::cancelled, "the spider is closing", url, 0,
                          std::make_shared<const Request>(std::move(request)))));
    }
    if (state_ != State::open)
        return fail<Response>(Failure::from(
            std::logic_error("Crawler::fetch: the spider is not open (" + request.url() + ")")));
    auto target = std::make_shared<InlineFetch>();
    target->result = Deferred<Response>([weak = std::weak_ptr<InlineFetch>(target)](auto&) {
        if (auto fetch = weak.lock(); fetch && fetch->in_flight) fetch->in_flight->cancel();
    });
    Deferred<Response> result = target->result;
    download(std::move(request), std::move(target));
    return result;
}

void Engine::download(Request request, std::shared_ptr<InlineFetch> target) {
    ++downloads_in_progress_;
    std::size_t index = 0;
    try {
        for (; index < middlewares_.size(); ++index) {
            if (auto result = middlewares_[index].second->process_request(request)) {
                // A made-up response still goes back through every process_response.
                handle_download_result(std::move(*result), std::move(target));
                return;
            }
        }
    } catch (...) {
        handle_download_failure(Failure(), std::make_shared<const Request>(std::move(request)),
                                std::move(target));
        return;
    }
    Deferred<Response> fetched = downloader_->fetch(std::move(request));
    if (target) target->in_flight = fetched;
    fetched.add_callbacks(
        [this, alive = alive_, target](Response response) {
            if (target) target->in_flight.reset();
            if (*alive) handle_download_result(std::move(response), target);
        },
        [this, alive = alive_, target](Failure failure) {
            if (target) target->in_flight.reset();
            if (!*alive) {
                // The engine is being destroyed: the caller of an inline fetch still hears of
                // it (a coroutine awaiting it would otherwise see its Deferred dropped).
                if (target && !target->result.called()) target->result.errback(std::move(failure));
                return;
            }
            const auto* error = failure.get<DownloadError>();
            std::shared_ptr<const Request> request = error ? error->shared_request() : nullptr;
            handle_download_failure(std::move(failure), std::move(request), target);
        });
}

void Engine::handle_download_result(DownloadResult result, std::shared_ptr<InlineFetch> target) {
    try {
        for (std::size_t i = middlewares_.size();
             i-- > 0 && std::holds_alternative<Response>(result);) {
            result =
                middlewares_[i].second->process_response(std::move(std::get<Response>(result)));
        }
    } catch (...) {
        Failure failure;
        auto* response = std::get_if<Response>(&result);
        handle_download_failure(
            std::move(failure),
            response ? std::make_shared<const Request>(response->request) : nullptr,
            std::move(target));
        return;
    }
    try {
        if (auto* request = std::get_if<Request>(&result)) {
            // A retry or a redirect: through the scheduler, or again at once for an inline
            // fetch (whose caller waits for this request's final response).
            if (target && state_ == State::open) {
                download_done();
                return download(std::move(*request), std::move(target));
            }
            if (state_ == State::open) schedule(std::move(*request));
        } else if (target) {
            if (!target->result.called())
                target->result.callback(std::move(std::get<Response>(result)));
        } else if (state_ == State::open) {
            Response& response = std::get<Response>(result);
            crawler_.stats().inc_value("response_received_count");
            crawler_.signals().response_received.send(response);
            log::emit(log::Level::debug, logger, "Crawled ({}) <{} {}>", response.status,
                      response.request.method, response.url);
            scraper_.scrape(std::move(response));
        }
    } catch (...) {  // a bug of ours, or out of memory: the crawl must still account for it
        log::emit(log::Level::error, logger, "Error handling a download: {}", Failure().describe());
    }
    download_done();
}

void Engine::handle_download_failure(Failure failure, std::shared_ptr<const Request> request,
                                     std::shared_ptr<InlineFetch> target) {
    std::optional<DownloadResult> recovered;
    if (request && state_ == State::open) {
        try {
            for (std::size_t i = middlewares_.size(); i-- > 0 && !recovered;)
                recovered = middlewares_[i].second->process_exception(*request, failure);
        } catch (...) {
            failure = Failure();
        }
    }
    if (recovered) return handle_download_result(std::move(*recovered), std::move(target));
    if (target) {
        // The caller always hears of it, even when the close cancelled the download.
        if (!target->result.called()) target->result.errback(std::move(failure));
    } else if (state_ == State::open) {
        scraper_.scrape_failure(std::move(failure), std::move(request));
    }  // else: cancelled by the close, nothing to report
    download_done();
}

void Engine::download_done() {
    --downloads_in_progress_;
    if (state_ == State::closing)
        work_finished();
    else
        wake();
}

}  // namespace interloop::spider::detail
