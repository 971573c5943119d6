#pragma once
// Spider: the user's crawl logic — where to start and how to read each response.

#include <string>
#include <vector>

#include "reactor/deferred.hpp"
#include "spider/callback.hpp"
#include "spider/response.hpp"
#include "spider/settings.hpp"

namespace interloop::spider {

class Crawler;

/// Base class of spiders (Scrapy's `scrapy.Spider`). Subclasses set `start_urls` (or override
/// `start_requests`) and implement `parse`, the callback of requests that have none:
///
/// ```cpp
/// class QuotesSpider : public Spider {
/// public:
///     QuotesSpider() : Spider("quotes") { start_urls = {"http://127.0.0.1:8000/"}; }
///     CallbackResult parse(const Response& page) override {
///         Outputs out;
///         for (auto& quote : page.css("div.quote"))
///             out.push_back(Item{{"text", quote.css("span.text::text").get().value_or("")}});
///         if (auto next = page.css("li.next a::attr(href)").get())
///             out.push_back(page.follow(*next));
///         return out;
///     }
/// };
/// ```
///
/// A spider lives at least as long as the Crawler that runs it; callbacks that capture `this`
/// rely on that.
class Spider {
public:
    explicit Spider(std::string name) : name_(std::move(name)) {}
    virtual ~Spider() = default;
    Spider(const Spider&) = delete;
    Spider& operator=(const Spider&) = delete;

    /// The spider's name (logs, stats file names).
    const std::string& name() const noexcept { return name_; }

    /// The URLs the default `start_requests` asks for.
    std::vector<std::string> start_urls;
    /// If not empty, requests to hosts outside these domains (and their subdomains) are
    /// dropped by the offsite middleware (`offsite/filtered`). Start requests are not checked.
    std::vector<std::string> allowed_domains;
    /// Settings of this spider: they override the defaults and are overridden by the settings
    /// given to the Crawler (the command line's `-s`).
    Settings custom_settings;

    /// What the crawl starts with (Scrapy 2.13's `async def start`): a coroutine that yields
    /// requests (scheduled after the start-request middlewares) and items (to the pipelines,
    /// with no response), and may await anything a coroutine callback may. The engine reads
    /// it lazily: one output when the scheduler has nothing to download and the concurrency
    /// limits allow, so it interleaves with downloads. While it awaits, the spider stays open.
    /// If it throws, what it yielded before is still crawled, the error is logged and counted
    /// (`spider_exceptions/<type>`) and the spider closes with reason "start_error" when
    /// idle; a CloseSpider closes it with its reason. The default yields `start_requests()`.
    virtual OutputStream start();
    /// The first requests of the crawl, all at once (what the default `start` yields). The
    /// default makes one GET request per `start_urls` entry, with `dont_filter` set (as Scrapy
    /// does); a malformed URL is logged and counted (`start_requests/invalid_url`), not thrown.
    virtual std::vector<Request> start_requests();
    /// The callback of requests without one. The default fails (Scrapy's NotImplementedError).
    virtual CallbackResult parse(const Response& response);

    /// The crawler running this spider, or nullptr outside a crawl.
    Crawler* crawler() const noexcept { return crawler_; }

    /// `crawler()->fetch(request)`: an inline download, for `co_await fetch(request)` in a
    /// coroutine callback (see Crawler::fetch). Fails (std::logic_error) outside a crawl.
    Deferred<Response> fetch(Request request);
    /// `crawler()->fetch_all(requests)`: several inline downloads at once.
    Deferred<std::vector<Response>> fetch_all(std::vector<Request> requests);

private:
    friend class Crawler;
    std::string name_;
    Crawler* crawler_ = nullptr;
};

}  // namespace interloop::spider
