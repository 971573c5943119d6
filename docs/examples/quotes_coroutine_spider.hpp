#pragma once
// The demo's quotes spider as a coroutine (Scrapy's `async def parse` async generator): the
// same items and links as QuotesSpider, each yielded as soon as it is extracted.

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>
#include <utility>

#include "docs/examples/quotes_spider.hpp"

namespace interloop::examples {

/// QuotesSpider with `parse` written as a coroutine callback: it `co_yield`s each quote item
/// as it is extracted and then each link to follow; the engine processes each output as it
/// comes (under CONCURRENT_ITEMS), not once the page is done.
///
/// With `await_asio`, every page first `co_await`s an Asio operation — a post to the crawl's
/// executor, standing in for a call to a coroutine-native client (a Beast request, a Redis
/// lookup) — before it reads the page. In two-loop mode (`Crawler::set_executor` with another
/// thread's io_context) that await crosses to the Asio thread and back; on an AsioReactor it
/// stays on the one thread. Without it, `parse` awaits nothing (its cost is the coroutine
/// itself, which the crawl benchmark compares with QuotesSpider's).
class QuotesCoroutineSpider : public spider::Spider {
public:
    explicit QuotesCoroutineSpider(std::string start_url, bool await_asio = false)
        : Spider("quotes"), await_asio_(await_asio) {
        allowed_domains.emplace_back(spider::HttpUrl::parse(start_url).host());
        start_urls.push_back(std::move(start_url));
    }

    // `page` is a reference parameter of a coroutine: safe here, because the engine keeps the
    // response alive until the coroutine has ended.
    spider::CallbackResult parse(const spider::Response& page) override {
        if (await_asio_) co_await boost::asio::post(boost::asio::use_awaitable);
        for (const spider::Selector& quote : page.css("div.quote"))
            co_yield quote_item(quote, page.url);
        for (const std::string& href : page.css("a::attr(href)").getall())
            if (auto next = follow_link(*this, page, href)) co_yield std::move(*next);
    }

private:
    bool await_asio_;
};

}  // namespace interloop::examples
