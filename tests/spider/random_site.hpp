#pragma once
// Random sites for the randomized engine test (test_engine_random.cpp): a seeded generator of
// small sites whose pages are read by scripted callbacks, and what a crawl of one must produce,
// worked out from the site graph alone.

#include <boost/json/serialize.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "spider/item.hpp"

namespace interloop::testing::random_site {

/// Every delay and latency is a multiple of this binary fraction, so clock times are exact.
constexpr double tick = 1.0 / 64;

/// One thing a scripted callback (or start) does, in order.
struct Step {
    enum Kind { item, link, timer, fired, delayed, fetch, fetch_all, raise } kind;
    int n = 0;         // item: its number; link: 1 if the request has its own callback;
                       // fired, delayed: the Deferred's value
    double delay = 0;  // timer, delayed
    std::vector<std::string> urls;  // link, fetch: one; fetch_all: several
};
inline constexpr const char* kind_names[] = {"item",    "link",  "timer",     "fired",
                                             "delayed", "fetch", "fetch_all", "raise"};

enum class Style { plain, deferred, coroutine };

struct Page {
    std::string url;
    Style style = Style::plain;
    double delay = 0;          // a Deferred callback fires this long after the response
    bool fails = false;        // a plain callback throws, a Deferred one fails (no outputs)
    std::vector<Step> script;  // plain and Deferred callbacks: items and links only
};

/// A random site and how the crawl reads it.
struct Site {
    std::vector<Page> pages;
    std::map<std::string, int> status;  // every URL: 200, 404, or 0 (the transport fails)
    std::map<std::string, double> latency;
    /// Requests for these (404 or failing) URLs have an errback that yields {"failed": url}
    /// after this delay (a coroutine errback if the delay is not 0).
    std::map<std::string, double> errback;
    std::vector<std::string> start_urls;     // the default start() (dont_filter), if not scripted
    std::optional<std::vector<Step>> start;  // a scripted start()
    /// A spider_idle handler schedules these, one per idle signal, while they last.
    std::vector<Step> idle_requests;
    bool slow_pipeline = false;
    int concurrent_requests = 16;
    int concurrent_items = 100;
    double download_delay = 0;  // not randomized
    bool fifo = false;          // SCHEDULER_ORDER
};

class Generator {
public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    Site site() {
        Site s;
        const int pages = uniform(1, 12);
        std::vector<std::string> page_urls, all;
        for (int i = 0; i < pages; ++i) page_urls.push_back(add(s, "p" + std::to_string(i), 200));
        for (int i = uniform(0, 2); i > 0; --i)
            all.push_back(add(s, fmt::format("gone{}", i), 404));
        if (chance(0.3)) all.push_back(add(s, "broken", 0));
        for (const std::string& url : all)
            if (chance(0.5)) s.errback[url] = delay();
        all.insert(all.end(), page_urls.begin(), page_urls.end());
        std::vector<std::string> targets = all;
        if (chance(0.5)) {
            // Start URLs are dont_filter: links avoid them, so each is parsed once per entry.
            std::shuffle(page_urls.begin(), page_urls.end(), rng_);
            s.start_urls.assign(page_urls.begin(),
                                page_urls.begin() + uniform(1, std::min(3, pages)));
            if (chance(0.3)) s.start_urls.push_back(s.start_urls.front());
            std::erase_if(targets, [&](const std::string& url) {
                return std::ranges::count(s.start_urls, url) > 0;
            });
        } else {
            std::vector<Step> outputs;
            for (int i = uniform(1, 3); i > 0; --i)
                outputs.push_back(link(chance(0.85) ? pick(page_urls) : pick(all)));
            for (int i = uniform(0, 2); i > 0; --i) outputs.push_back({Step::item, i, 0, {}});
            s.start = with_awaits(std::move(outputs), all, false);
        }
        for (const std::string& url : page_urls) {
            Page page{url, Style(uniform(0, 2)), delay(), chance(0.04), {}};
            for (int i = uniform(0, 3); i > 0; --i) page.script.push_back({Step::item, i, 0, {}});
            for (int i = targets.empty() ? 0 : uniform(0, 4); i > 0; --i)
                page.script.push_back(link(pick(targets)));
            std::shuffle(page.script.begin(), page.script.end(), rng_);
            if (page.style == Style::coroutine) {
                page.script = with_awaits(std::move(page.script), all, page.fails);
                page.fails = false;
            }
            s.pages.push_back(std::move(page));
        }
        if (chance(0.3))
            for (int i = uniform(1, 3); i > 0; --i) s.idle_requests.push_back(link(pick(all)));
        s.slow_pipeline = chance(0.5);
        s.download_delay = chance(0.2) ? tick * uniform(1, 8) : 0.0;
        s.fifo = chance(0.5);
        s.concurrent_requests = pick(std::vector{1, 2, 3, 16});
        s.concurrent_items = pick(std::vector{1, 2, 100});
        return s;
    }

private:
    std::string add(Site& s, const std::string& path, int status) {
        std::string url = "http://site.test/" + path;
        s.status[url] = status;
        s.latency[url] = tick * uniform(0, 16);
        return url;
    }
    Step link(std::string url) { return {Step::link, chance(0.3) ? 1 : 0, 0, {std::move(url)}}; }
    /// `outputs` with 0-4 random awaits, and maybe a throw, at random places.
    std::vector<Step> with_awaits(std::vector<Step> outputs, const std::vector<std::string>& urls,
                                  bool raise) {
        for (int i = uniform(0, 4); i > 0; --i) {
            Step step{
                Step::Kind(uniform(Step::timer, Step::fetch_all)), uniform(0, 99), delay(), {}};
            int fetches = step.kind == Step::fetch       ? 1
                          : step.kind == Step::fetch_all ? uniform(1, 3)
                                                         : 0;
            for (; fetches > 0; --fetches) step.urls.push_back(pick(urls));
            outputs.insert(outputs.begin() + uniform(0, int(outputs.size())), std::move(step));
        }
        if (raise)
            outputs.insert(outputs.begin() + uniform(0, int(outputs.size())),
                           Step{Step::raise, 0, 0, {}});
        return outputs;
    }
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    double delay() { return chance(0.25) ? 0.0 : tick * uniform(1, 16); }
    template <class T>
    T pick(const std::vector<T>& from) {
        return from[std::size_t(uniform(0, int(from.size()) - 1))];
    }

    std::mt19937 rng_;
};

/// The steps that run: those before the first throw.
inline std::vector<Step> effective(const std::vector<Step>& script) {
    return {script.begin(), std::ranges::find(script, Step::raise, &Step::kind)};
}

/// Item `n` of `page` (of start() if `page` is empty).
inline spider::Item make_item(const std::string& page, int n) {
    return page.empty() ? spider::Item{{"start", n}} : spider::Item{{"page", page}, {"n", n}};
}
inline spider::Item failed_item(const std::string& url) {
    return spider::Item{{"failed", url}};
}

/// What the crawl of a Site must produce.
struct Expected {
    std::map<std::string, int> parses;
    std::vector<std::string> items;  // serialized, sorted
    int spider_errors = 0;
};

inline Expected expect(const Site& site) {
    using boost::json::serialize;
    Expected e;
    std::map<std::string, const Page*> pages;
    for (const Page& page : site.pages) pages[page.url] = &page;
    std::vector<std::string> seen, queue;  // the duplicate filter; pages to parse
    auto request = [&](const std::string& url) {
        if (std::ranges::count(seen, url)) return;
        seen.push_back(url);
        if (site.status.at(url) == 200)
            queue.push_back(url);
        else if (site.errback.contains(url))
            e.items.push_back(serialize(failed_item(url)));
    };
    for (const std::string& url : site.start_urls) {  // dont_filter: never dropped
        if (!std::ranges::count(seen, url)) seen.push_back(url);
        queue.push_back(url);
    }
    if (site.start)
        for (const Step& step : *site.start) {
            if (step.kind == Step::link) request(step.urls[0]);
            if (step.kind == Step::item) e.items.push_back(serialize(make_item("", step.n)));
        }
    auto drain = [&] {
        while (!queue.empty()) {
            const Page& page = *pages.at(queue.back());
            queue.pop_back();
            ++e.parses[page.url];
            const std::vector<Step> steps = effective(page.script);
            if (page.fails || steps.size() < page.script.size()) ++e.spider_errors;
            if (page.fails) continue;
            for (const Step& step : steps) {
                if (step.kind == Step::link) request(step.urls[0]);
                if (step.kind == Step::item)
                    e.items.push_back(serialize(make_item(page.url, step.n)));
            }
        }
    };
    drain();
    // Each idle signal schedules the next idle request; one the duplicate filter drops leaves
    // the spider idle, and it closes.
    for (const Step& step : site.idle_requests) {
        if (std::ranges::count(seen, step.urls[0])) break;
        request(step.urls[0]);
        drain();
    }
    std::ranges::sort(e.items);
    return e;
}

inline std::string describe(const Step& step) {
    std::string text = kind_names[step.kind];
    if (step.kind == Step::item || step.kind == Step::fired) text += std::to_string(step.n);
    if (step.kind == Step::link && step.n == 1) text += "+callback";
    if (step.kind == Step::timer || step.kind == Step::delayed)
        text += fmt::format("({})", step.delay);
    if (!step.urls.empty()) text += fmt::format("({})", fmt::join(step.urls, ","));
    return text;
}

inline std::string describe(const std::vector<Step>& steps) {
    std::vector<std::string> parts;
    for (const Step& step : steps) parts.push_back(describe(step));
    return fmt::format("{}", fmt::join(parts, " "));
}

/// The whole site, for a failure message.
inline std::string describe(const Site& site) {
    std::string text = fmt::format(
        "CONCURRENT_REQUESTS={} CONCURRENT_ITEMS={} DOWNLOAD_DELAY={} fifo={} "
        "slow pipeline={} start_urls=[{}] idle requests: {}",
        site.concurrent_requests, site.concurrent_items, site.download_delay, site.fifo,
        site.slow_pipeline, fmt::join(site.start_urls, " "), describe(site.idle_requests));
    if (site.start) text += "\n    start(): " + describe(*site.start);
    for (const auto& [url, status] : site.status) {
        text += fmt::format("\n    {} status {} latency {}", url, status, site.latency.at(url));
        if (site.errback.contains(url)) text += fmt::format(" errback({})", site.errback.at(url));
    }
    for (const Page& page : site.pages)
        text += fmt::format("\n    {} {}{} (delay {}): {}", page.url, "PDC"[int(page.style)],
                            page.fails ? " fails" : "", page.delay, describe(page.script));
    return text;
}

}  // namespace interloop::testing::random_site
