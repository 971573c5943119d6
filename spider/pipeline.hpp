#pragma once
// Item pipelines: the steps every scraped item goes through.

#include <optional>
#include <stdexcept>
#include <utility>

#include "reactor/deferred.hpp"
#include "spider/errors.hpp"
#include "spider/item.hpp"

namespace interloop::spider {

class Crawler;
class Response;

/// What `process_item` returns: nothing when it is done with the item now, or a Deferred that
/// fires when it is done (a failed one drops or fails the item like a thrown exception).
class ItemResult {
public:
    /// Done now.
    ItemResult() = default;
    /// Done when `later` fires.
    ItemResult(Deferred<void> later) noexcept : later_(std::move(later)) {}

    /// The Deferred, if the pipeline is not done yet.
    Deferred<void>* deferred() noexcept { return later_ ? &*later_ : nullptr; }

private:
    std::optional<Deferred<void>> later_;
};

/// One step of item processing (Scrapy's item pipeline). Pipelines are ordered by number,
/// lowest first. Each works on the item in place (`item["price"] = ...`, or `item = other`
/// to replace it); the item stays at the same address until the last pipeline is done, so a
/// pipeline that finishes later may keep referring to it. An item counts as in progress (the
/// spider stays open) until the last pipeline is done with it; at most CONCURRENT_ITEMS items
/// of one response are in the pipelines at once. DropItem stops the item (`item_dropped`); any
/// other exception is logged and counted (`item_error`), and the crawl goes on.
///
/// ```cpp
/// class PriceToNumber : public ItemPipeline {
///     ItemResult process_item(Item& item, const Response*) override {
///         if (!item.contains("price")) throw DropItem("no price");
///         item["price"] = std::stod(std::string(item["price"].as_string()));
///         return {};
///     }
/// };
/// ```
class ItemPipeline {
public:
    virtual ~ItemPipeline() = default;
    /// Called once when the crawl starts.
    virtual void open_spider(Crawler& /*crawler*/) {}
    /// Called once when the spider closes, after the last item.
    virtual void close_spider(Crawler& /*crawler*/) {}
    /// Processes `item`; `response` is the one it was scraped from (nullptr for items of
    /// errbacks).
    virtual ItemResult process_item(Item& item, const Response* response) = 0;
};

}  // namespace interloop::spider
