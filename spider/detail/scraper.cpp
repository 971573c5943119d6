// Scraper: callbacks, errbacks, spider middlewares on outputs, and item pipelines.

#include "spider/detail/scraper.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

#include "reactor/errors.hpp"
#include "reactor/log.hpp"
#include "spider/crawler.hpp"
#include "spider/detail/engine.hpp"
#include "spider/download_error.hpp"
#include "spider/errors.hpp"

namespace interloop::spider::detail {
namespace {

constexpr std::string_view logger = "interloop.scraper";

std::string referer_of(const Request& request) {
    std::string referer(request.headers.get("Referer").value_or("None"));
    return referer;
}

/// "<GET url>" as Scrapy prints a request.
std::string describe(const Request* request) {
    return request ? fmt::format("<{} {}>", request->method, request->url()) : "<unknown request>";
}

}  // namespace

Scraper::Scraper(Crawler& crawler, Engine& engine)
    : crawler_(crawler),
      engine_(engine),
      concurrent_items_(std::size_t(
          std::max<std::int64_t>(1, crawler.settings().get_int("CONCURRENT_ITEMS", 100)))) {}

Scraper::~Scraper() {
    *alive_ = false;
}

void Scraper::add_spider_middleware(std::unique_ptr<SpiderMiddleware> middleware, int order) {
    insert_ordered(middlewares_, std::move(middleware), order);
}

void Scraper::add_pipeline(std::unique_ptr<ItemPipeline> pipeline, int order) {
    insert_ordered(pipelines_, std::move(pipeline), order);
}

void Scraper::open_spider() {
    for (auto& [order, middleware] : middlewares_) middleware->open_spider(crawler_);
    for (auto& [order, pipeline] : pipelines_) pipeline->open_spider(crawler_);
}

void Scraper::close_spider() {
    for (auto& [order, pipeline] : pipelines_) {
        try {
            pipeline->close_spider(crawler_);
        } catch (...) {
            log::emit(log::Level::error, logger, "Error closing an item pipeline: {}",
                      Failure().describe());
        }
    }
}

bool Scraper::process_start_request(Request& request) {
    try {
        for (std::size_t i = middlewares_.size(); i-- > 0;)
            if (!middlewares_[i].second->process_start_request(request)) return false;
        return true;
    } catch (...) {
        log::emit(log::Level::error, logger, "Error processing start request <{} {}>: {}",
                  request.method, request.url(), Failure().describe());
        return false;
    }
}

Scraper::Job Scraper::start_job(ScrapeJob job) {
    active_bytes_ += job.bytes;
    jobs_.push_back(std::move(job));
    return std::prev(jobs_.end());
}

void Scraper::finish_job(Job job) {
    active_bytes_ -= job->bytes;
    jobs_.erase(job);
    notify_engine();
}

void Scraper::notify_engine() {
    if (engine_.closing())
        engine_.work_finished();
    else
        engine_.wake();
}

void Scraper::scrape(Response response) {
    ScrapeJob fresh;
    fresh.bytes = response.body.size();
    fresh.response.emplace(std::move(response));
    Job job = start_job(std::move(fresh));
    try {
        for (auto& [order, middleware] : middlewares_)
            middleware->process_spider_input(*job->response);
    } catch (...) {
        Failure failure;
        if (const RequestErrback& errback = job->response->request.errback)
            return run_errback(job, std::move(failure), errback);
        handle_unprocessed_failure(failure, &job->response->request);
        return finish_job(job);
    }
    run_callback(job);
}

void Scraper::scrape_failure(Failure failure, std::shared_ptr<const Request> request) {
    if (!request || !request->errback) return handle_unprocessed_failure(failure, request.get());
    ScrapeJob fresh;
    fresh.failed_request = std::move(request);
    Job job = start_job(std::move(fresh));
    run_errback(job, std::move(failure), job->failed_request->errback);
}

void Scraper::run_callback(Job job) {
    const Response& response = *job->response;
    CallbackResult result;
    try {
        const RequestCallback& callback = response.request.callback;
        result = callback ? callback(response) : crawler_.spider().parse(response);
    } catch (...) {
        handle_spider_error(job, Failure());
        return finish_job(job);
    }
    take_result(job, std::move(result));
}

void Scraper::run_errback(Job job, Failure failure, const RequestErrback& errback) {
    job->failure.emplace(std::move(failure));
    CallbackResult result;
    try {
        result = errback(*job->failure, job->source());
    } catch (...) {
        handle_spider_error(job, Failure());
        return finish_job(job);
    }
    take_result(job, std::move(result));
}

void Scraper::take_result(Job job, CallbackResult result) {
    if (Outputs* outputs = result.outputs()) {
        job->outputs = std::move(*outputs);
        return walk_outputs(job);
    }
    if (OutputStream* stream = result.stream()) {
        job->stream.emplace(std::move(*stream));
        // The stream dies with the job: when on_ready runs, both are there.
        job->stream->bind(&crawler_.stream_context(), [this, job] { walk_outputs(job); });
        return walk_outputs(job);
    }
    job->pending = *result.deferred();
    result.deferred()->add_callbacks(
        [this, job, alive = alive_](Outputs outputs) {
            if (!*alive) return;
            job->pending.reset();
            job->outputs = std::move(outputs);
            walk_outputs(job);
        },
        [this, job, alive = alive_](const Failure& failure) {
            if (!*alive) return;
            job->pending.reset();
            if (!cancelled_by_close(failure)) handle_spider_error(job, failure);
            finish_job(job);
        });
}

void Scraper::walk_outputs(Job job) {
    // Re-entered when an output's Deferred fires inside process_output (or a coroutine moves
    // on meanwhile): the outer walk goes round once more.
    if (job->walking) {
        job->walk_again = true;
        return;
    }
    job->walking = true;
    do {
        job->walk_again = false;
        if (job->stream)
            walk_stream(job);
        else
            walk_vector(job);
    } while (job->walk_again);
    job->walking = false;
    if (job_done(*job)) finish_job(job);
}

void Scraper::walk_vector(Job job) {
    while (job->next_output < job->outputs.size() && job->outputs_in_flight < concurrent_items_) {
        Output& output = job->outputs[job->next_output++];
        if (auto later = process_output(job, output)) {
            ++job->outputs_in_flight;
            later->add_both([this, job, alive = alive_](const Outcome<void>&) {
                if (!*alive) return;
                --job->outputs_in_flight;
                walk_outputs(job);
            });
        }
    }
}

void Scraper::walk_stream(Job job) {
    OutputStream& stream = *job->stream;
    while (!job->stream_ended && job->outputs_in_flight < concurrent_items_) {
        switch (stream.advance()) {
            case OutputStream::Step::pending:
                return;  // on_ready walks again
            case OutputStream::Step::done:
                return stream_ended(job);
            case OutputStream::Step::output:
                break;
        }
        auto output = job->yielded.insert(job->yielded.end(), stream.take_output());
        auto later = process_output(job, *output);
        if (!later) {
            job->yielded.erase(output);
            continue;
        }
        ++job->outputs_in_flight;
        later->add_both([this, job, output, alive = alive_](const Outcome<void>&) {
            if (!*alive) return;
            job->yielded.erase(output);
            --job->outputs_in_flight;
            walk_outputs(job);
        });
    }
}

void Scraper::stream_ended(Job job) {
    job->stream_ended = true;
    if (std::exception_ptr error = job->stream->error()) {
        Failure failure(error);
        if (!cancelled_by_close(failure)) handle_spider_error(job, failure);
    }
}

bool Scraper::job_done(const ScrapeJob& job) const noexcept {
    if (job.outputs_in_flight > 0) return false;
    return job.stream ? job.stream_ended : job.next_output == job.outputs.size();
}

bool Scraper::cancelled_by_close(const Failure& failure) const {
    if (!engine_.closing()) return false;
    if (failure.check<CancelledError>()) return true;
    const auto* download = failure.get<DownloadError>();
    return download && download->reason() == DownloadErrorReason::cancelled;
}

std::optional<Deferred<void>> Scraper::process_output(Job job, Output& output) {
    const Response* response = job->response_or_null();
    try {
        for (std::size_t i = middlewares_.size(); i-- > 0;)
            if (!middlewares_[i].second->process_spider_output(output, job->source(), response))
                return std::nullopt;
    } catch (...) {
        handle_spider_error(job, Failure());
        return std::nullopt;
    }
    if (auto* request = std::get_if<Request>(&output)) {
        if (engine_.open_now()) engine_.schedule(std::move(*request));
        return std::nullopt;
    }
    return process_item(std::get<Item>(output), response);
}

void Scraper::process_start_item(Item item) {
    auto stored = start_items_.insert(start_items_.end(), std::move(item));
    auto later = process_item(*stored, nullptr);
    if (!later) {
        start_items_.erase(stored);
        return;
    }
    later->add_both([this, stored, alive = alive_](const Outcome<void>&) {
        if (!*alive) return;
        start_items_.erase(stored);
        notify_engine();
    });
}

std::optional<Deferred<void>> Scraper::process_item(Item& item, const Response* response) {
    ++items_in_progress_;
    std::optional<Deferred<void>> later;
    try {
        later = run_pipelines(0, item, response);
    } catch (...) {
        item_done(item, response, Failure());
        return std::nullopt;
    }
    if (!later) {
        item_done(item, response, Outcome<void>());
        return std::nullopt;
    }
    return later->add_both([this, &item, response, alive = alive_](const Outcome<void>& outcome) {
        if (*alive) item_done(item, response, outcome);
    });
}

std::optional<Deferred<void>> Scraper::run_pipelines(std::size_t from, Item& item,
                                                     const Response* response) {
    for (std::size_t i = from; i < pipelines_.size(); ++i) {
        ItemResult result = pipelines_[i].second->process_item(item, response);
        if (Deferred<void>* later = result.deferred()) {
            return later->add_callback([this, i, &item, response, alive = alive_] {
                std::optional<Deferred<void>> rest;
                if (*alive) rest = run_pipelines(i + 1, item, response);
                return rest ? std::move(*rest) : succeed();
            });
        }
    }
    return std::nullopt;
}

void Scraper::item_done(Item& item, const Response* response, const Outcome<void>& outcome) {
    --items_in_progress_;
    auto& stats = crawler_.stats();
    auto& signals = crawler_.signals();
    if (outcome.has_value()) {
        stats.inc_value("item_scraped_count");
        signals.item_scraped.send(item, response);
        return;
    }
    const Failure& failure = outcome.failure();
    if (const auto* drop = failure.get<DropItem>()) {
        stats.inc_value("item_dropped_count");
        stats.inc_value("item_dropped_reasons_count/DropItem");
        log::emit(log::Level::warning, logger, "Dropped: {}\n{}", drop->what(),
                  boost::json::serialize(item));
        signals.item_dropped.send(item, response, drop->what());
        return;
    }
    if (const auto* close = failure.get<CloseSpider>()) return engine_.close(close->reason());
    stats.inc_value("item_error_count");
    log::emit(log::Level::error, logger, "Error processing {}: {}", boost::json::serialize(item),
              failure.describe());
    signals.item_error.send(item, response, failure);
}

void Scraper::handle_spider_error(Job job, const Failure& failure) {
    if (const auto* close = failure.get<CloseSpider>()) return engine_.close(close->reason());
    const Request& request = job->source();
    log::emit(log::Level::error, logger, "Spider error processing <{} {}> (referer: {}): {}",
              request.method, request.url(), referer_of(request), failure.describe());
    crawler_.stats().inc_value("spider_exceptions/" + failure.type_name());
    crawler_.signals().spider_error.send(failure, job->response_or_null());
}

void Scraper::handle_start_error(const Failure& failure) {
    if (const auto* close = failure.get<CloseSpider>()) return engine_.close(close->reason());
    log::emit(log::Level::error, logger, "Error while reading start requests: {}",
              failure.describe());
    crawler_.stats().inc_value("spider_exceptions/" + failure.type_name());
    crawler_.signals().spider_error.send(failure, nullptr);
}

void Scraper::handle_unprocessed_failure(const Failure& failure, const Request* request) {
    if (const auto* close = failure.get<CloseSpider>()) return engine_.close(close->reason());
    if (failure.check<HttpError>()) return;  // the HTTP error middleware logged and counted it
    if (failure.check<IgnoreRequest>()) {
        log::emit(log::Level::debug, logger, "Ignored {}: {}", describe(request),
                  failure.message());
        return;
    }
    if (engine_.closing()) return;  // cancelled by the close
    log::emit(log::Level::error, logger, "Error downloading {}: {}", describe(request),
              failure.describe());
}

void Scraper::cancel_pending() {
    // Collected first: a cancellation may finish its job, and others with it.
    std::vector<Deferred<Outputs>> pending;
    std::vector<UniqueFunction<void()>> awaits;
    for (ScrapeJob& job : jobs_) {
        if (job.pending) pending.push_back(*job.pending);
        if (job.stream)
            if (auto cancel = job.stream->prepare_cancel()) awaits.push_back(std::move(cancel));
    }
    for (auto& deferred : pending) deferred.cancel();
    for (auto& cancel : awaits) cancel();
}

}  // namespace interloop::spider::detail
