#pragma once
// Scraper: calls spider callbacks and errbacks, and sends their outputs on (Scrapy's Scraper).

#include <algorithm>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/failure.hpp"
#include "spider/callback.hpp"
#include "spider/middleware.hpp"
#include "spider/pipeline.hpp"
#include "spider/response.hpp"

namespace interloop::spider {
class Crawler;
}

namespace interloop::spider::detail {

class Engine;

/// Components ordered by their number, stable for equal numbers.
template <class T>
using Ordered = std::vector<std::pair<int, std::unique_ptr<T>>>;

/// Adds `component` after every component whose number is not greater than `order`.
template <class T>
void insert_ordered(Ordered<T>& list, std::unique_ptr<T> component, int order) {
    auto at = std::upper_bound(list.begin(), list.end(), order,
                               [](int o, const auto& entry) { return o < entry.first; });
    list.emplace(at, order, std::move(component));
}

/// One response (or failed request) being scraped: from the callback's call until every
/// output it produced went through the spider middlewares and, for items, the pipelines. Its
/// address is stable: callbacks and pipelines may keep references to the response, the
/// failure and the items until the job ends.
struct ScrapeJob {
    std::optional<Response> response;  // a response to a callback, or
    std::optional<Failure> failure;    // a failure to an errback (with `request`)
    std::shared_ptr<const Request> failed_request;
    Outputs outputs;                           // the callback's outputs, in order
    std::optional<Deferred<Outputs>> pending;  // the callback's Deferred, until it fires
    std::optional<OutputStream> stream;        // or the callback's coroutine
    std::list<Output> yielded;                 // what the coroutine yielded, until processed
    bool stream_ended = false;
    std::size_t next_output = 0;        // the walk over `outputs`
    std::size_t outputs_in_flight = 0;  // items in pipelines, at most CONCURRENT_ITEMS
    bool walking = false;
    bool walk_again = false;  // asked to walk while walking
    std::size_t bytes = 0;    // counted against the active-size limit

    /// The request whose callback or errback this job runs.
    const Request& source() const noexcept {
        return response ? response->request : *failed_request;
    }
    const Response* response_or_null() const noexcept { return response ? &*response : nullptr; }
};

/// Runs callbacks and processes their outputs for the Engine. A response stays "active" (the
/// spider does not close) until its callback — or the callback's Deferred, or its coroutine —
/// is done and every output it produced is processed: requests handed to the engine, items through
/// all pipelines, at most CONCURRENT_ITEMS items of one job in the pipelines at once.
///
/// The outputs are walked in order, inline: synchronous work (requests, items whose pipelines
/// all finish at once) costs no Deferred and no reactor turn; an item whose pipeline returns
/// an unfired Deferred takes one of the CONCURRENT_ITEMS places until it fires (the bound of
/// Scrapy's `parallel(outputs, CONCURRENT_ITEMS, ...)`, without a Cooperator task per place).
/// A coroutine's outputs are walked the same way, pulled one at a time: the body runs on only
/// when a place is free, and a walk stopped by a suspended body goes on when it resumes.
class Scraper {
public:
    Scraper(Crawler& crawler, Engine& engine);
    ~Scraper();

    void add_spider_middleware(std::unique_ptr<SpiderMiddleware> middleware, int order);
    void add_pipeline(std::unique_ptr<ItemPipeline> pipeline, int order);
    /// Calls `open_spider` on every middleware and pipeline.
    void open_spider();
    /// Calls `close_spider` on every pipeline.
    void close_spider();

    /// Scrapes a downloaded response: input middlewares, callback, outputs.
    void scrape(Response response);
    /// Hands a failed request to its errback (or logs and counts the failure).
    void scrape_failure(Failure failure, std::shared_ptr<const Request> request);
    /// Passes one start request through the spider middlewares; false if one dropped it.
    bool process_start_request(Request& request);
    /// Sends an item yielded by the spider's `start()` to the pipelines (no response). It
    /// counts as in progress from this call on.
    void process_start_item(Item item);
    /// Handles an exception thrown by the spider outside a callback (in `start()`): logged,
    /// counted, sent as `spider_error`; a CloseSpider closes the spider instead.
    void handle_start_error(const Failure& failure);

    /// Cancels the Deferreds of callbacks still running and what suspended coroutines await
    /// (they may catch it and go on). Outputs already produced are still processed (items already
    /// scraped are never lost; requests are dropped by the engine).
    void cancel_pending();

    /// Jobs not finished (responses and failures being scraped).
    std::size_t active() const noexcept { return jobs_.size(); }
    /// Bytes of the responses being scraped.
    std::size_t active_bytes() const noexcept { return active_bytes_; }
    /// Items inside the pipelines now.
    std::size_t items_in_progress() const noexcept { return items_in_progress_; }
    bool idle() const noexcept { return jobs_.empty() && items_in_progress_ == 0; }
    /// True for the failures the close's cancellations cause (not logged as errors).
    bool cancelled_by_close(const Failure& failure) const;

private:
    using Job = std::list<ScrapeJob>::iterator;

    Job start_job(ScrapeJob job);
    void run_callback(Job job);
    void run_errback(Job job, Failure failure, const RequestErrback& errback);
    void take_result(Job job, CallbackResult result);
    void walk_outputs(Job job);
    void walk_vector(Job job);
    void walk_stream(Job job);
    void stream_ended(Job job);
    bool job_done(const ScrapeJob& job) const noexcept;
    std::optional<Deferred<void>> process_output(Job job, Output& output);
    std::optional<Deferred<void>> process_item(Item& item, const Response* response);
    std::optional<Deferred<void>> run_pipelines(std::size_t from, Item& item,
                                                const Response* response);
    void item_done(Item& item, const Response* response, const Outcome<void>& outcome);
    void handle_spider_error(Job job, const Failure& failure);
    void handle_unprocessed_failure(const Failure& failure, const Request* request);
    void finish_job(Job job);
    void notify_engine();

    Crawler& crawler_;
    Engine& engine_;
    Ordered<SpiderMiddleware> middlewares_;
    Ordered<ItemPipeline> pipelines_;
    std::list<ScrapeJob> jobs_;
    std::list<Item> start_items_;  // items from start(), until their pipelines are done
    std::size_t active_bytes_ = 0;
    std::size_t items_in_progress_ = 0;
    std::size_t concurrent_items_;
    // Checked by callbacks on Deferreds the scraper does not own: they may fire after it died.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace interloop::spider::detail
