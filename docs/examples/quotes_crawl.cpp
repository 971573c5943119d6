// quotes_crawl: the demo crawl. Without a URL it generates the quotes site, serves it on
// 127.0.0.1, crawls it with the quotes spider and checks the result against the site's
// manifest; with a URL it crawls that site instead. Options as `scrapy crawl`: -o FILE,
// -s NAME=VALUE, -L; and `--style callback|deferred|coroutine`: the same spider written as a
// plain callback (QuotesSpider, the default), a Deferred callback (QuotesDeferredSpider) or a
// coroutine (QuotesCoroutineSpider). All three scrape the same items.

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "docs/examples/quotes_coroutine_spider.hpp"
#include "docs/examples/quotes_deferred_spider.hpp"
#include "docs/examples/quotes_site/site.hpp"
#include "docs/examples/quotes_site/site_server.hpp"
#include "docs/examples/quotes_spider.hpp"
#include "spider/crawl_command.hpp"

using namespace interloop;
using namespace interloop::spider;

namespace {

/// The command line without `--style NAME` (or `--style=NAME`), and that NAME.
struct StyleChoice {
    std::string style = "callback";
    std::vector<char*> rest;
};

StyleChoice take_style_option(std::span<char* const> arguments) {
    StyleChoice choice;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string_view arg = arguments[i];
        if (arg == "--style") {
            if (i + 1 >= arguments.size())
                throw std::invalid_argument("option --style needs a value");
            choice.style = arguments[++i];
        } else if (arg.starts_with("--style=")) {
            choice.style = arg.substr(8);
        } else {
            choice.rest.push_back(arguments[i]);
        }
    }
    if (choice.style != "callback" && choice.style != "deferred" && choice.style != "coroutine")
        throw std::invalid_argument(fmt::format(
            "option --style: expected callback, deferred or coroutine, got '{}'", choice.style));
    return choice;
}

/// The quotes spider written in `style` (callback, deferred or coroutine).
std::unique_ptr<Spider> make_spider(std::string_view style, std::string url) {
    if (style == "deferred") return std::make_unique<examples::QuotesDeferredSpider>(url);
    if (style == "coroutine") return std::make_unique<examples::QuotesCoroutineSpider>(url);
    return std::make_unique<examples::QuotesSpider>(url);
}

/// Compares the crawl's stats with what the site's manifest says a full crawl finds.
bool check_against_manifest(const examples::Manifest& manifest, const StatsCollector& stats) {
    struct Row {
        const char* what;
        std::int64_t got, expected;
    };
    const auto& counts = manifest.counts;
    Row rows[] = {
        {"pages fetched (200)", stats.get_int("downloader/response_status_count/200"),
         std::int64_t(counts.reachable_pages)},
        {"missing pages (404)", stats.get_int("downloader/response_status_count/404"),
         std::int64_t(counts.not_found)},
        {"quotes scraped", stats.get_int("item_scraped_count"), std::int64_t(counts.quotes)},
        {"duplicate links filtered", stats.get_int("dupefilter/filtered"),
         std::int64_t(counts.duplicate_links)},
    };
    bool ok = stats.get_string("finish_reason") == "finished";
    fmt::print("\nDemo check against the site's manifest (finish_reason: {}):\n",
               stats.get_string("finish_reason"));
    for (const Row& row : rows) {
        fmt::print("  {:<26} {:>6} of {:>6}  {}\n", row.what, row.got, row.expected,
                   row.got == row.expected ? "ok" : "MISMATCH");
        ok = ok && row.got == row.expected;
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) try {
    StyleChoice style = take_style_option({argv + 1, argv + argc});
    CrawlOptions options = parse_crawl_options(style.rest);
    if (options.help || options.urls.size() > 1) {
        fmt::print(options.help ? stdout : stderr, "{}",
                   crawl_usage(argv[0]) +
                       "  --style STYLE    the spider's style: callback (default), deferred or "
                       "coroutine\n"
                       "Without URL: crawls a generated demo site served on 127.0.0.1 "
                       "(-s DEMO_PAGES=N listing pages, default 10).\n");
        return options.help ? 0 : 2;
    }
    std::optional<examples::Site> site;
    std::optional<examples::SiteServer> server;
    std::string url;
    if (options.urls.empty()) {
        examples::SiteSpec spec;
        spec.pages = int(options.settings.get_int("DEMO_PAGES", 10));
        site = examples::generate_site(spec);
        server.emplace(*site);
        server->start();
        url = server->url("/");
        fmt::print("Serving the demo site at {} ({} pages, {} quotes)\n", url,
                   site->manifest.counts.reachable_pages, site->manifest.counts.quotes);
    } else {
        url = options.urls.front();
    }

    std::unique_ptr<Spider> spider = make_spider(style.style, url);
    StatsCollector final_stats;
    std::int64_t printed = 0;
    int code = run_crawl(*spider, options.settings, [&](Crawler& crawler) {
        if (site) {  // show a few items as they are scraped
            crawler.signals().item_scraped.connect([&](const Item& item, const Response*) {
                if (++printed <= 3) fmt::print("item: {}\n", boost::json::serialize(item));
            });
        }
        crawler.signals().spider_closed.connect(
            [&](Spider&, std::string_view) { final_stats = crawler.stats(); });
    });
    if (site && code == 0) {
        fmt::print("... {} items in all ({} spider)\n", final_stats.get_int("item_scraped_count"),
                   style.style);
        fmt::print("\nStats:\n{}\n", final_stats.to_json());
        if (!check_against_manifest(site->manifest, final_stats)) code = 1;
    }
    return code;
} catch (const std::exception& error) {
    fmt::print(stderr, "quotes_crawl: {}\n", error.what());
    return 2;
}
