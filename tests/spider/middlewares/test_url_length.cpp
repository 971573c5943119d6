// UrlLengthMiddleware: requests with long URLs are dropped, counted and logged.
#include "spider/middlewares/url_length.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/spider/middlewares/middleware_testing.hpp"

using namespace interloop::spider;
using interloop::spider::testing::DebugLogCapture;

namespace {

constexpr const char* short_url = "http://scrapytest.org/";                   // 22 characters
constexpr const char* long_url = "http://scrapytest.org/this_is_a_long_url";  // 40 characters

bool passes(UrlLengthMiddleware& mw, Output output) {
    const Request source("http://scrapytest.org");
    const Response response(source, 200, "");
    return mw.process_spider_output(output, source, &response);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(url_length_middleware, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(long_urls_are_dropped) {
    StatsCollector stats;
    UrlLengthMiddleware mw(Settings{{"URLLENGTH_LIMIT", "25"}}, stats);
    BOOST_TEST(passes(mw, Output(Request(short_url))));
    BOOST_TEST(!passes(mw, Output(Request(long_url))));
    BOOST_TEST(stats.get_int("urllength/request_ignored_count") == 1);
}

BOOST_AUTO_TEST_CASE(a_url_exactly_at_the_limit_passes) {
    StatsCollector stats;
    UrlLengthMiddleware at(Settings{{"URLLENGTH_LIMIT", "22"}}, stats);
    BOOST_TEST(passes(at, Output(Request(short_url))));
    UrlLengthMiddleware below(Settings{{"URLLENGTH_LIMIT", "21"}}, stats);
    BOOST_TEST(!passes(below, Output(Request(short_url))));
}

BOOST_AUTO_TEST_CASE(drops_are_logged_at_info) {
    StatsCollector stats;
    UrlLengthMiddleware mw(Settings{{"URLLENGTH_LIMIT", "25"}}, stats);
    DebugLogCapture log;
    passes(mw, Output(Request(short_url)));
    passes(mw, Output(Request(long_url)));
    BOOST_TEST(log.count_exact(interloop::log::Level::info,
                               "Ignoring link (url length > 25): "
                               "http://scrapytest.org/this_is_a_long_url") == 1u);
    BOOST_TEST(log.lines.size() == 1u);
}

BOOST_AUTO_TEST_CASE(start_requests_are_checked_too) {
    StatsCollector stats;
    UrlLengthMiddleware mw(Settings{{"URLLENGTH_LIMIT", "25"}}, stats);
    Request start_short(short_url), start_long(long_url);
    BOOST_TEST(mw.process_start_request(start_short));
    BOOST_TEST(!mw.process_start_request(start_long));
    BOOST_TEST(stats.get_int("urllength/request_ignored_count") == 1);
}

BOOST_AUTO_TEST_CASE(items_pass_and_zero_means_no_limit) {
    StatsCollector stats;
    UrlLengthMiddleware limited(Settings{{"URLLENGTH_LIMIT", "5"}}, stats);
    BOOST_TEST(passes(limited, Output(Item{{"url", long_url}})));
    UrlLengthMiddleware off(Settings{{"URLLENGTH_LIMIT", "0"}}, stats);
    BOOST_TEST(passes(off, Output(Request(std::string(long_url) + std::string(5000, 'x')))));
    BOOST_TEST(stats.values().empty());
}

BOOST_AUTO_TEST_CASE(the_default_limit_is_scrapys) {
    StatsCollector stats;
    UrlLengthMiddleware mw(Settings{}, stats);
    BOOST_TEST(mw.max_length() == 2083);
    const std::string base = "http://scrapytest.org/";
    BOOST_TEST(passes(mw, Output(Request(base + std::string(2083 - base.size(), 'a')))));
    BOOST_TEST(!passes(mw, Output(Request(base + std::string(2084 - base.size(), 'a')))));
}

BOOST_AUTO_TEST_SUITE_END()
