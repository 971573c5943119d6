// DepthMiddleware: depth in meta, the limit, priority by depth and the depth stats.
#include "spider/middlewares/depth.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>

#include "tests/spider/middlewares/middleware_testing.hpp"

using namespace interloop::spider;
using interloop::spider::testing::DebugLogCapture;

namespace {

Request at_depth(std::optional<int> depth, const char* url = "http://scrapytest.org") {
    Request request(url);
    if (depth) request.meta.set("depth", *depth);
    return request;
}

// Runs `output` through the middleware as an output of `source`'s callback.
bool passes(DepthMiddleware& mw, const Request& source, Output& output) {
    const Response response(source, 200, "");
    return mw.process_spider_output(output, source, &response);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(depth_middleware, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(requests_deeper_than_the_limit_are_dropped) {
    StatsCollector stats;
    DepthMiddleware mw(Settings{{"DEPTH_LIMIT", "1"}, {"DEPTH_STATS_VERBOSE", "True"}}, stats);
    Output first(Request("http://scrapytest.org/a"));
    BOOST_TEST(passes(mw, at_depth(0), first));
    BOOST_TEST(std::get<Request>(first).meta.value_or("depth", -1) == 1);
    BOOST_TEST(stats.get_int("request_depth_count/1") == 1);

    Output second(Request("http://scrapytest.org/b"));
    BOOST_TEST(!passes(mw, at_depth(1), second));
    BOOST_TEST(stats.get_int("request_depth_max") == 1);
    BOOST_TEST(!stats.contains("request_depth_count/2"));
}

BOOST_AUTO_TEST_CASE(start_requests_get_depth_zero_unless_they_have_one) {
    StatsCollector stats;
    DepthMiddleware mw(Settings{{"DEPTH_STATS_VERBOSE", "True"}}, stats);
    Request fresh = at_depth(std::nullopt);
    BOOST_TEST(mw.process_start_request(fresh));
    BOOST_TEST(fresh.meta.value_or("depth", -1) == 0);
    Request deep = at_depth(3);
    BOOST_TEST(mw.process_start_request(deep));
    BOOST_TEST(deep.meta.value_or("depth", -1) == 3);
    BOOST_TEST(stats.get_int("request_depth_count/0") == 1);
    // As in Scrapy, the maximum is only recorded for requests output by callbacks.
    BOOST_TEST(!stats.contains("request_depth_max"));
}

BOOST_AUTO_TEST_CASE(a_source_without_depth_counts_as_depth_zero) {
    StatsCollector stats;
    DepthMiddleware mw(Settings{}, stats);
    Output output(Request("http://scrapytest.org/a"));
    BOOST_TEST(passes(mw, at_depth(std::nullopt), output));
    BOOST_TEST(std::get<Request>(output).meta.value_or("depth", -1) == 1);
    // Errback outputs (no response) count from their source request the same way.
    Output from_errback(Request("http://scrapytest.org/b"));
    BOOST_TEST(mw.process_spider_output(from_errback, at_depth(4), nullptr));
    BOOST_TEST(std::get<Request>(from_errback).meta.value_or("depth", -1) == 5);
    BOOST_TEST(stats.get_int("request_depth_max") == 5);
}

BOOST_AUTO_TEST_CASE(depth_priority_lowers_deep_requests_or_raises_them) {
    StatsCollector stats;
    DepthMiddleware breadth_first(Settings{{"DEPTH_PRIORITY", "1"}}, stats);
    Request request("http://scrapytest.org/a");
    request.priority = 10;
    Output output(request);
    BOOST_TEST(passes(breadth_first, at_depth(2), output));
    BOOST_TEST(std::get<Request>(output).priority == 7);

    DepthMiddleware depth_first(Settings{{"DEPTH_PRIORITY", "-2"}}, stats);
    Output deeper(request);
    BOOST_TEST(passes(depth_first, at_depth(2), deeper));
    BOOST_TEST(std::get<Request>(deeper).priority == 16);

    DepthMiddleware neutral(Settings{}, stats);
    Output same(request);
    BOOST_TEST(passes(neutral, at_depth(2), same));
    BOOST_TEST(std::get<Request>(same).priority == 10);
}

BOOST_AUTO_TEST_CASE(no_limit_by_default_and_the_maximum_is_kept) {
    StatsCollector stats;
    DepthMiddleware mw(Settings{}, stats);
    for (int depth : {100, 3, 7}) {
        Output output(Request("http://scrapytest.org/a"));
        BOOST_TEST(passes(mw, at_depth(depth), output));
    }
    BOOST_TEST(stats.get_int("request_depth_max") == 101);
    BOOST_TEST(stats.values().size() == 1u);  // no per-depth counts without verbose stats
}

BOOST_AUTO_TEST_CASE(items_pass_untouched) {
    StatsCollector stats;
    DepthMiddleware mw(Settings{{"DEPTH_LIMIT", "1"}}, stats);
    Output item(Item{{"name", "x"}});
    BOOST_TEST(passes(mw, at_depth(5), item));
    BOOST_TEST(std::get<Item>(item).size() == 1u);
    BOOST_TEST(stats.values().empty());
}

BOOST_AUTO_TEST_CASE(dropped_links_are_logged_at_debug) {
    StatsCollector stats;
    DepthMiddleware mw(Settings{{"DEPTH_LIMIT", "2"}}, stats);
    DebugLogCapture log;
    Output output(Request("http://scrapytest.org/deep"));
    BOOST_TEST(!passes(mw, at_depth(2), output));
    BOOST_TEST(log.count_exact(interloop::log::Level::debug,
                               "Ignoring link (depth > 2): http://scrapytest.org/deep") == 1u);
    BOOST_TEST(log.lines.size() == 1u);
    BOOST_TEST(!stats.contains("request_depth_max"));
}

BOOST_AUTO_TEST_SUITE_END()
