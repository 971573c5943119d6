#pragma once
// Helpers for engine tests on the Clock: a Crawler over a FakeTransport, a site of canned pages,
// and a spider made of lambdas.

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reactor/clock.hpp"
#include "spider/crawler.hpp"
#include "tests/spider/fake_transport.hpp"
#include "tests/support/log_capture.hpp"

namespace interloop::testing {

/// A spider whose `parse` is a lambda (set before the crawl).
class LambdaSpider : public spider::Spider {
public:
    explicit LambdaSpider(std::vector<std::string> urls = {"http://site.test/"})
        : Spider("lambda") {
        start_urls = std::move(urls);
    }
    std::function<spider::CallbackResult(const spider::Response&)> on_parse =
        [](const spider::Response&) { return spider::CallbackResult(); };
    spider::CallbackResult parse(const spider::Response& response) override {
        return on_parse(response);
    }
};

/// Canned pages by URL: a status and a body; unknown URLs answer 404.
using Pages = std::map<std::string, std::pair<int, std::string>>;

/// A page whose body links to `hrefs`.
inline std::string links_to(const std::vector<std::string>& hrefs) {
    std::string body = "<html><body>";
    for (const auto& href : hrefs) body += "<a href=\"" + href + "\">x</a>";
    return body + "</body></html>";
}

/// A Crawler on a Clock whose downloads are answered from `pages` after `latency`.
struct ClockCrawl {
    ClockCrawl(spider::Spider& spider, Pages pages, spider::Settings settings = {},
               Duration latency = Duration(0.1)) {
        settings.set("LOGSTATS_INTERVAL", "0");
        auto fake = std::make_unique<FakeTransport>(clock);
        transport = fake.get();
        transport->respond_with(
            [this, pages = std::move(pages)](
                const spider::Request& request) -> std::optional<FakeTransport::Reply> {
                if (auto it = overrides.find(request.url()); it != overrides.end())
                    return it->second(request);
                auto it = pages.find(request.url());
                if (it == pages.end()) return FakeTransport::Reply{404, "not found", {}};
                return FakeTransport::Reply{it->second.first, it->second.second, {}};
            },
            latency);
        crawler.emplace(clock, spider, std::move(settings), std::move(fake));
    }

    /// Starts the crawl; `reason` is set when it closes (with the time in `closed_at`).
    void start() {
        crawler->crawl().add_callback([this](const std::string& why) {
            reason = why;
            closed_at = clock.seconds();
        });
        clock.advance(Duration(0));  // the first pass of the loop, at time 0
    }
    /// Advances the clock in `step`s until the spider closed or `limit` seconds passed.
    void run_until_closed(double limit = 60.0, double step = 0.05) {
        while (!reason && clock.seconds() < limit) clock.advance(Duration(step));
    }
    std::int64_t stat(std::string_view key) { return crawler->stats().get_int(key); }

    LogCapture log;  // first: destroyed last
    Clock clock;
    FakeTransport* transport = nullptr;
    /// Replies that take precedence over `pages` for a URL (a function may count calls).
    std::map<std::string, FakeTransport::Responder> overrides;
    std::optional<spider::Crawler> crawler;
    std::optional<std::string> reason;
    double closed_at = -1;
};

}  // namespace interloop::testing
