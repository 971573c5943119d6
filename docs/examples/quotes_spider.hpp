#pragma once
// The example spider of the demo: scrapes every quote of a quotes.toscrape.com-shaped site and
// follows every link on it (a plain callback spider). Also the helpers the same spider written
// in the other two styles shares with it (quotes_deferred_spider.hpp,
// quotes_coroutine_spider.hpp): all three yield the same items and follow the same links.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "spider/crawler.hpp"
#include "spider/spider.hpp"
#include "spider/url.hpp"

namespace interloop::examples {

/// The item of one `div.quote` block: its text, author and tags, and `page_url`, the page it
/// was on. Uses nothing but its arguments, so it may run on any thread.
inline spider::Item quote_item(const spider::Selector& quote, std::string_view page_url) {
    boost::json::array tags;
    for (std::string& tag : quote.css("a.tag::text").getall()) tags.emplace_back(tag);
    return spider::Item{
        {"text", quote.css("span.text::text").get("")},
        {"author", quote.css("small.author::text").get("")},
        {"tags", std::move(tags)},
        {"page", page_url},
    };
}

/// `page.try_follow(href)`; a link that gives no http(s) request is counted as
/// `spider/invalid_link` in the stats of `spider`'s crawl. On the crawl's thread.
inline std::optional<spider::Request> follow_link(const spider::Spider& spider,
                                                  const spider::Response& page,
                                                  std::string_view href) {
    auto next = page.try_follow(href);
    if (!next)
        if (auto* crawler = spider.crawler()) crawler->stats().inc_value("spider/invalid_link");
    return next;
}

/// Starts at `start_url`, stays on its host, and on every page:
/// * yields one item per `div.quote` — its text, author and tags, and the page it was on;
/// * follows every `<a href>` (the scheduler drops duplicates; the offsite middleware drops
///   links to other hosts; malformed links are counted as `spider/invalid_link`).
class QuotesSpider : public spider::Spider {
public:
    explicit QuotesSpider(std::string start_url) : Spider("quotes") {
        allowed_domains.emplace_back(spider::HttpUrl::parse(start_url).host());
        start_urls.push_back(std::move(start_url));
    }

    spider::CallbackResult parse(const spider::Response& page) override {
        spider::Outputs out;
        for (const spider::Selector& quote : page.css("div.quote"))
            out.emplace_back(quote_item(quote, page.url));
        for (const std::string& href : page.css("a::attr(href)").getall())
            if (auto next = follow_link(*this, page, href)) out.emplace_back(std::move(*next));
        return out;
    }
};

}  // namespace interloop::examples
