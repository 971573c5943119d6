#pragma once
// The example spider of the demo: scrapes every quote of a quotes.toscrape.com-shaped site and
// follows every link on it (a plain callback spider).

#include <string>
#include <utility>

#include "spider/crawler.hpp"
#include "spider/spider.hpp"
#include "spider/url.hpp"

namespace interloop::examples {

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
        for (const spider::Selector& quote : page.css("div.quote")) {
            boost::json::array tags;
            for (std::string& tag : quote.css("a.tag::text").getall()) tags.emplace_back(tag);
            out.emplace_back(spider::Item{
                {"text", quote.css("span.text::text").get("")},
                {"author", quote.css("small.author::text").get("")},
                {"tags", std::move(tags)},
                {"page", page.url},
            });
        }
        for (const std::string& href : page.css("a::attr(href)").getall()) {
            if (auto next = page.try_follow(href))
                out.emplace_back(std::move(*next));
            else if (auto* crawler = this->crawler())
                crawler->stats().inc_value("spider/invalid_link");
        }
        return out;
    }
};

}  // namespace interloop::examples
