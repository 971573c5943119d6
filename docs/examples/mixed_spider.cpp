// A spider that mixes the two worlds in both directions, run by the test `example_mixed_spider`.
//
// It is written the way a Scrapy project being ported ends up: an old Deferred-style callback
// next to a new coroutine callback, each using the HTTP client its code already had — one of
// the Asio world (Boost.Beast) and one of the callback world (libevent's evhttp).
//
//  * `parse` (listing pages) — the OLD code, a Deferred callback: one item per quote, with its
//    author's birth date read from the author's page by the coroutine-native Beast client,
//    bridged with `as_deferred`; all lookups of a page at once with `gather_results`.
//  * `parse_tag` (tag pages) — the NEW code, a coroutine callback: it counts the tag's quotes
//    over all the tag's pages, downloading the next pages inline with `co_await fetch(...)`,
//    and `co_await`s the Deferred-returning evhttp client (natively, no adapter) for the birth
//    date of the tag's first author.
//
// Two loops: the crawler runs on a LibeventReactor (main thread, react()), Beast on an
// io_context on a second thread (`crawler.set_executor(io.get_executor())`), and the generated
// quotes site is served by its own server thread on 127.0.0.1. The program prints the items
// and a stats line, checks them against the site's manifest, and exits non-zero on a mismatch.

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bridge/as_deferred.hpp"
#include "docs/examples/beast_client.hpp"
#include "docs/examples/evhttp_client.hpp"
#include "docs/examples/quotes_site/site.hpp"
#include "docs/examples/quotes_site/site_server.hpp"
#include "reactor/deferred_list.hpp"
#include "reactor/libevent_reactor.hpp"
#include "reactor/log.hpp"
#include "reactor/react.hpp"
#include "spider/crawler.hpp"
#include "spider/selector.hpp"
#include "spider/spider.hpp"

using namespace interloop;
using namespace interloop::spider;
using examples::HttpReply;
namespace asio = boost::asio;

namespace {

/// The author's birth date on an author page fetched by either client (parsed on the
/// reactor's thread, where the results of both arrive).
std::string born_date(const HttpReply& author_page) {
    if (author_page.status != 200)
        throw std::runtime_error(fmt::format("author page: HTTP {}", author_page.status));
    return Selector::from_html(author_page.body).css("span.author-born-date::text").get("");
}

/// `http://host:port/target` → {host, port, target}: what beast_get takes.
struct Endpoint {
    std::string host, port, target;
};
Endpoint endpoint_of(const Request& request) {
    const std::string& url = request.url();  // normalized: it has a path
    return {std::string(request.host()), std::to_string(request.http_url().port()),
            url.substr(url.find('/', url.find("://") + 3))};
}

class MixedSpider : public Spider {
public:
    MixedSpider(LibeventReactor& reactor, std::string start_url)
        : Spider("mixed"), reactor_(reactor) {
        start_urls.push_back(std::move(start_url));
    }

    /// The OLD callback (listing pages), Deferred style: it returns at once with a Deferred of
    /// its outputs, which fires once every author lookup of the page has come back.
    CallbackResult parse(const Response& page) override {
        std::vector<Item> quotes;
        std::vector<Deferred<std::string>> born_dates;
        Outputs follow_ups;
        for (const Selector& quote : page.css("div.quote")) {
            quotes.push_back(Item{{"quote", quote.css("span.text::text").get("")},
                                  {"author", quote.css("small.author::text").get("")}});
            born_dates.push_back(
                born_date_with_beast(page.follow(quote.css("span a::attr(href)").get(""))));
            // Each quote's first tag goes to the new coroutine callback (the scheduler drops
            // the repeats, as Scrapy's dupefilter does).
            if (auto tag = quote.css("a.tag::attr(href)").get())
                follow_ups.push_back(page.follow(
                    *tag, [this](const Response& tag_page) { return parse_tag(tag_page); }));
        }
        if (auto next = page.css("li.next a::attr(href)").get())
            follow_ups.push_back(page.follow(*next));

        return gather_results(std::move(born_dates))
            .add_callback([quotes = std::move(quotes), follow_ups = std::move(follow_ups)](
                              std::vector<std::string> dates) mutable -> Outputs {
                Outputs out;
                for (std::size_t i = 0; i < quotes.size(); ++i) {
                    quotes[i]["born"] = dates[i];
                    out.emplace_back(std::move(quotes[i]));
                }
                std::move(follow_ups.begin(), follow_ups.end(), std::back_inserter(out));
                return out;
            });
    }

    /// The NEW callback (tag pages), a coroutine: it suspends at each co_await, and the spider
    /// stays open meanwhile. `first` stays valid until the coroutine ends (the engine keeps
    /// the response alive for it).
    CallbackResult parse_tag(const Response& first) {
        const std::string tag = first.css("h3 a.tag::text").get("");
        const Selector first_author = first.xpath("//li[@class='quote-ref'][1]/a[2]")[0];

        // A Deferred API of the callback world, awaited as it is: the evhttp client runs on
        // the crawler's own libevent loop; its reply resumes the coroutine there.
        HttpReply author = co_await examples::http_get(
            reactor_, first.urljoin(first_author.css("::attr(href)").get("")));
        count("mixed/evhttp_lookups");

        // The tag's other pages, downloaded inline (Scrapy's `await engine.download(...)`):
        // through the downloader and its middlewares, not the scheduler, and no second
        // callback — the counts stay in this frame.
        std::size_t quotes = 0, pages = 0;
        std::optional<Response> later;
        for (const Response* page = &first;;) {
            quotes += page->css("li.quote-ref").size();
            ++pages;
            std::optional<std::string> next = page->css("li.next a::attr(href)").get();
            if (!next) break;
            Request next_request = page->follow(*next);
            later = co_await fetch(std::move(next_request));
            count("mixed/inline_fetches");
            page = &*later;
        }

        // (Built first: g++ 12 rejects a braced Item written inside `co_yield`.)
        Item item{{"tag", tag},
                  {"quotes", quotes},
                  {"tag_pages", pages},
                  {"first_author", first_author.css("::text").get("")},
                  {"first_author_born", born_date(author)}};
        co_yield std::move(item);
    }

private:
    /// The author's birth date through the coroutine-native Beast client: the coroutine runs
    /// on the crawl's Asio executor (the other thread), and as_deferred brings its result
    /// back to this reactor's thread as a Deferred — which the old code chains as usual.
    Deferred<std::string> born_date_with_beast(const Request& author_page) {
        Endpoint at = endpoint_of(author_page);
        return as_deferred(*crawler()->stream_context().executor,
                           examples::beast_get(at.host, at.port, at.target))
            .add_callback([this](const HttpReply& reply) {
                count("mixed/beast_lookups");
                return born_date(reply);
            });
    }

    void count(const std::string& key) { crawler()->stats().inc_value(key); }

    LibeventReactor& reactor_;
};

/// What the crawl found: its items (serialized, sorted) and its stats.
struct CrawlResult {
    std::vector<std::string> items;
    StatsCollector stats;
    int exit_code = 0;  // react()'s
};

/// Crawls the site with MixedSpider in two-loop mode and returns what it found.
CrawlResult crawl(const examples::SiteServer& server) {
    asio::io_context io;
    auto work = asio::make_work_guard(io);  // the Asio thread waits for Beast requests
    std::thread asio_thread([&io] { io.run(); });

    CrawlResult result;
    {
        LibeventReactor reactor;
        MixedSpider spider(reactor, server.url("/page/1/"));
        std::unique_ptr<Crawler> crawler;
        result.exit_code = react(reactor, [&](Reactor&) {
            crawler = std::make_unique<Crawler>(reactor, spider);
            // Where coroutine callbacks and as_deferred run Asio code: the other thread.
            crawler->set_executor(io.get_executor());
            crawler->signals().item_scraped.connect([&](const Item& item, const Response*) {
                result.items.push_back(boost::json::serialize(item));
            });
            return crawler->crawl().add_callback(
                [&](const std::string&) { result.stats = crawler->stats(); });
        });
        crawler.reset();  // on the reactor's thread, before the reactor
    }
    work.reset();
    asio_thread.join();
    std::sort(result.items.begin(), result.items.end());
    return result;
}

/// The items a full crawl must find, from the site's manifest.
std::vector<std::string> expected_items(const examples::Site& site) {
    std::map<std::string, std::string> born;  // author name → birth date
    for (const examples::AuthorRecord& author : site.manifest.authors)
        born[author.name] = author.born_date;
    std::map<std::string, std::vector<const examples::QuoteRecord*>> by_tag;  // in id order
    for (const examples::QuoteRecord& quote : site.manifest.quotes)
        for (const std::string& tag : quote.tags) by_tag[tag].push_back(&quote);

    std::vector<std::string> items;
    std::map<std::string, bool> tag_done;
    for (const examples::QuoteRecord& quote : site.manifest.quotes) {
        items.push_back(boost::json::serialize(
            Item{{"quote", quote.text}, {"author", quote.author}, {"born", born[quote.author]}}));
        if (quote.tags.empty() || std::exchange(tag_done[quote.tags[0]], true)) continue;
        const auto& tagged = by_tag[quote.tags[0]];
        const std::size_t size = std::size_t(site.spec.tag_page_size);
        items.push_back(
            boost::json::serialize(Item{{"tag", quote.tags[0]},
                                        {"quotes", tagged.size()},
                                        {"tag_pages", (tagged.size() + size - 1) / size},
                                        {"first_author", tagged.front()->author},
                                        {"first_author_born", born[tagged.front()->author]}}));
    }
    std::sort(items.begin(), items.end());
    return items;
}

}  // namespace

int main() {
    log::set_level(log::Level::warning);  // the items and the stats line are the output
    examples::SiteSpec spec;
    spec.pages = 2;
    spec.quotes_per_page = 3;
    spec.tags = 6;           // few tags, shared by several quotes,
    spec.tag_page_size = 2;  // so that some span several tag pages (the inline fetches)
    const examples::Site site = examples::generate_site(spec);
    examples::SiteServer server(site);
    server.start();

    const CrawlResult result = crawl(server);
    for (const std::string& item : result.items) fmt::print("{}\n", item);
    const StatsCollector& stats = result.stats;
    fmt::print(
        "\n{} items; {} responses (inline: {}); author lookups: Beast {}, evhttp {}; "
        "finish_reason: {}\n",
        stats.get_int("item_scraped_count"), stats.get_int("downloader/response_count"),
        stats.get_int("mixed/inline_fetches"), stats.get_int("mixed/beast_lookups"),
        stats.get_int("mixed/evhttp_lookups"), stats.get_string("finish_reason"));

    const std::vector<std::string> expected = expected_items(site);
    bool ok = result.exit_code == 0 && result.items == expected &&
              stats.get_string("finish_reason") == "finished" &&
              stats.get_int("mixed/beast_lookups") == std::int64_t(site.manifest.quotes.size());
    // Every request the server saw came from the crawl (pages and inline fetches) or from
    // one of the two clients: nothing was lost or sent twice on the way between the loops.
    ok = ok && server.requests() == std::uint64_t(stats.get_int("downloader/response_count") +
                                                  stats.get_int("mixed/beast_lookups") +
                                                  stats.get_int("mixed/evhttp_lookups"));
    server.stop();
    if (!ok) {
        fmt::print("MISMATCH\nexpected items:\n");
        for (const std::string& item : expected) fmt::print("{}\n", item);
        fmt::print("server requests: {}\n", server.requests());
        return 1;
    }
    return 0;
}
