#pragma once
// The demo's quotes spider in Twisted's Deferred style: `parse` asks a Deferred-returning
// service to extract the page and chains the outputs onto its answer with add_callback — the
// shape of a Scrapy callback that returns a Deferred (`d = service.extract(response);
// d.addCallback(self.to_outputs, response); return d`).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge/as_deferred.hpp"
#include "docs/examples/quotes_spider.hpp"
#include "reactor/timeout.hpp"

namespace interloop::examples {

/// What the extraction service finds on one page.
struct PageContent {
    std::vector<spider::Item> quotes;  ///< one item per `div.quote` (see quote_item)
    std::vector<std::string> links;    ///< every `<a href>`, as written, in page order
};

/// The quotes and links of the document `root`, the page at `page_url`. Uses nothing but its
/// arguments, so it may run on any thread.
inline PageContent read_page(const spider::Selector& root, std::string_view page_url) {
    PageContent content;
    for (const spider::Selector& quote : root.css("div.quote"))
        content.quotes.push_back(quote_item(quote, page_url));
    content.links = root.css("a::attr(href)").getall();
    return content;
}

/// A stand-in for the Deferred-returning APIs a Twisted spider calls (a lookup service, a
/// parser pool, a database): `extract(page)` never answers inline, only later, through a
/// Deferred fired on the crawl's reactor. Two ways to answer, as such APIs do:
///
/// * on a later reactor turn (Twisted's `deferLater(reactor, 0, f)`): the page is read on the
///   reactor's thread;
/// * from an Asio coroutine, through `as_deferred`: the page's bytes are copied into the
///   coroutine, which parses them on the executor's thread (another thread in two-loop mode)
///   and sends the content back to the reactor's thread.
class QuoteExtractionService {
public:
    /// Answers on a later turn of `time`'s loop.
    explicit QuoteExtractionService(ReactorTime& time) : time_(&time) {}
    /// Answers from a coroutine run on `executor`; the Deferred fires on `reactor`'s thread.
    QuoteExtractionService(Reactor& reactor, boost::asio::any_io_executor executor)
        : reactor_(&reactor), executor_(std::move(executor)) {}

    /// The content of `page`. On the reactor's thread; `page` must stay alive until the
    /// Deferred fired (the engine keeps a response alive while its callback's Deferred is
    /// unfired). Cancelling the Deferred cancels the pending extraction.
    Deferred<PageContent> extract(const spider::Response& page) const {
        if (reactor_)
            return as_deferred(*reactor_, *executor_,
                               extract_copy(page.url, page.status, page.body, page.headers));
        return defer_later(*time_, Duration(0),
                           [&page] { return read_page(page.selector(), page.url); });
    }

private:
    // A coroutine takes its parameters by value: it reads its own copy of the page, never the
    // reactor thread's Response.
    static boost::asio::awaitable<PageContent> extract_copy(std::string url, int status,
                                                            std::string body,
                                                            spider::Headers headers) {
        spider::Response copy(spider::Request(url), status, std::move(body), std::move(headers));
        co_return read_page(copy.selector(), copy.url);
    }

    ReactorTime* time_ = nullptr;
    Reactor* reactor_ = nullptr;
    std::optional<boost::asio::any_io_executor> executor_;
};

/// QuotesSpider with `parse` returning a Deferred: the page goes to a QuoteExtractionService,
/// and a callback added to its Deferred turns the content into outputs (the items, then a
/// request per link). The engine treats the response as in progress until that Deferred
/// fires; a failure in the chain is handled like an exception from a plain callback.
///
/// With `extract_on_asio`, the service answers from an Asio coroutine on the crawl's executor
/// (the AsioReactor's io_context, or the one given to `Crawler::set_executor`); otherwise on a
/// later reactor turn.
class QuotesDeferredSpider : public spider::Spider {
public:
    explicit QuotesDeferredSpider(std::string start_url, bool extract_on_asio = false)
        : Spider("quotes"), extract_on_asio_(extract_on_asio) {
        allowed_domains.emplace_back(spider::HttpUrl::parse(start_url).host());
        start_urls.push_back(std::move(start_url));
    }

    spider::CallbackResult parse(const spider::Response& page) override {
        return service().extract(page).add_callback([this, &page](PageContent content) {
            spider::Outputs out;
            for (spider::Item& item : content.quotes) out.emplace_back(std::move(item));
            for (const std::string& href : content.links)
                if (auto next = follow_link(*this, page, href)) out.emplace_back(std::move(*next));
            return out;
        });
    }

private:
    QuoteExtractionService service() const {
        spider::Crawler& crawl = *crawler();
        if (!extract_on_asio_) return QuoteExtractionService(crawl.time());
        const spider::StreamContext& context = crawl.stream_context();
        if (!context.reactor || !context.executor)
            throw std::logic_error(
                "QuotesDeferredSpider: extracting on Asio needs a crawl with an executor "
                "(an AsioReactor, or Crawler::set_executor)");
        return QuoteExtractionService(*context.reactor, *context.executor);
    }

    bool extract_on_asio_;
};

}  // namespace interloop::examples
