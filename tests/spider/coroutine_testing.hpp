#pragma once
// Helpers for engine tests of coroutine callbacks and start() on the Clock (with ClockCrawl from
// engine_testing.hpp): exact steps of the clock, items made outside a co_yield, a pipeline that
// holds items, and records of the scraped items and of the error lines logged.

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/deferred.hpp"
#include "reactor/log.hpp"
#include "spider/item.hpp"
#include "spider/pipeline.hpp"
#include "spider/response.hpp"
#include "tests/spider/engine_testing.hpp"
#include "tests/support/log_capture.hpp"

namespace interloop::testing {

/// The Clock's step in `run_to`: a binary fraction, so sums of steps land on event times exactly.
inline constexpr double tick = 1.0 / 1024;

/// Advances the clock tick by tick up to `time`: each call runs at the time it is due.
inline void run_to(ClockCrawl& crawl, double time) {
    while (crawl.clock.seconds() < time) crawl.clock.advance(Duration(tick));
}

/// `Item{{key, value}}`, made outside the coroutine: g++ 12 rejects a braced initializer list
/// in a `co_yield` expression ("array used as initializer").
template <class V>
spider::Item item(std::string_view key, V value) {
    return spider::Item{{key, boost::json::value_from(value)}};
}

/// Records the scraped items' `key` values in order: strings as they are, other values as JSON.
inline void record_items(ClockCrawl& crawl, std::vector<std::string>& into, std::string key) {
    crawl.crawler->signals().item_scraped.connect(
        [&into, key](const spider::Item& scraped, const spider::Response*) {
            const auto& value = scraped.at(key);
            into.push_back(value.is_string() ? std::string(value.as_string())
                                             : boost::json::serialize(value));
        });
}

/// The number of lines logged at ERROR or above.
inline std::size_t error_lines(const LogCapture& log) {
    return std::size_t(std::count_if(log.lines.begin(), log.lines.end(), [](const auto& line) {
        return line.level >= interloop::log::Level::error;
    }));
}

/// A pipeline that holds every item until the test releases it; it counts the most items held
/// at once and the items that came with a response.
class HoldingPipeline : public spider::ItemPipeline {
public:
    spider::ItemResult process_item(spider::Item&, const spider::Response* response) override {
        with_response += response != nullptr;
        held.emplace_back();
        max_in_flight = std::max(max_in_flight, in_flight());
        return held.back();
    }
    /// The items held and not released yet.
    std::size_t in_flight() const {
        return std::size_t(std::count_if(held.begin(), held.end(),
                                         [](const Deferred<void>& d) { return !d.called(); }));
    }
    /// Releases the oldest item still held.
    void release_one() {
        for (auto& d : held)
            if (!d.called()) return d.callback();
        BOOST_FAIL("nothing held");
    }
    std::vector<Deferred<void>> held;
    std::size_t max_in_flight = 0;
    int with_response = 0;
};

}  // namespace interloop::testing
