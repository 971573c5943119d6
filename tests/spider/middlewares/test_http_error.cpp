// HttpErrorMiddleware: which statuses reach the callback, and what is counted and logged.
#include "spider/middlewares/http_error.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

#include "tests/spider/middlewares/middleware_testing.hpp"

using namespace interloop::spider;
using interloop::spider::testing::DebugLogCapture;

namespace {

Response response_with(int status, std::vector<int> handled = {}, bool handle_all = false) {
    Request request("http://scrapytest.org");
    if (!handled.empty()) request.meta.set("handle_httpstatus_list", handled);
    if (handle_all) request.meta.set("handle_httpstatus_all", true);
    return Response(request, status, "");
}

bool passes(HttpErrorMiddleware& mw, const Response& response) {
    try {
        mw.process_spider_input(response);
        return true;
    } catch (const HttpError& error) {
        BOOST_TEST(error.status() == response.status);
        return false;
    }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_error_middleware, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(only_2xx_passes_by_default) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{}, stats);
    BOOST_TEST(passes(mw, response_with(200)));
    BOOST_TEST(passes(mw, response_with(201)));
    BOOST_TEST(passes(mw, response_with(299)));
    BOOST_TEST(!passes(mw, response_with(404)));
    BOOST_TEST(!passes(mw, response_with(304)));
    BOOST_TEST(!passes(mw, response_with(199)));
    BOOST_TEST(!passes(mw, response_with(500)));
}

BOOST_AUTO_TEST_CASE(the_error_carries_the_response_and_is_an_ignore_request) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{}, stats);
    Response response = response_with(404);
    response.body = "not here";
    try {
        mw.process_spider_input(response);
        BOOST_FAIL("no HttpError");
    } catch (const IgnoreRequest& error) {
        const auto* http_error = dynamic_cast<const HttpError*>(&error);
        BOOST_REQUIRE(http_error != nullptr);
        BOOST_TEST(http_error->response().status == 404);
        BOOST_TEST(http_error->response().body == "not here");
        BOOST_TEST(http_error->response().url == "http://scrapytest.org/");
    }
}

BOOST_AUTO_TEST_CASE(handle_httpstatus_list_meta_allows_those_statuses) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{}, stats);
    BOOST_TEST(passes(mw, response_with(404, {404})));
    BOOST_TEST(!passes(mw, response_with(402, {404})));
}

BOOST_AUTO_TEST_CASE(allowed_codes_setting_allows_those_statuses) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{{"HTTPERROR_ALLOWED_CODES", "402"}}, stats);
    BOOST_TEST(passes(mw, response_with(200)));
    BOOST_TEST(passes(mw, response_with(402)));
    BOOST_TEST(!passes(mw, response_with(404)));
    // The request's list replaces the setting's.
    BOOST_TEST(passes(mw, response_with(404, {404})));
    BOOST_TEST(!passes(mw, response_with(402, {404})));
}

BOOST_AUTO_TEST_CASE(allow_all_setting_allows_everything_but_a_requests_own_list_wins) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{{"HTTPERROR_ALLOW_ALL", "True"}}, stats);
    BOOST_TEST(passes(mw, response_with(200)));
    BOOST_TEST(passes(mw, response_with(404)));
    BOOST_TEST(passes(mw, response_with(500)));
    BOOST_TEST(passes(mw, response_with(404, {404})));
    BOOST_TEST(!passes(mw, response_with(402, {404})));
}

BOOST_AUTO_TEST_CASE(handle_httpstatus_all_meta_allows_everything) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{}, stats);
    BOOST_TEST(passes(mw, response_with(500, {}, true)));
    BOOST_TEST(passes(mw, response_with(402, {404}, true)));  // it wins over the list
    Response refused = response_with(500);
    refused.request.meta.set("handle_httpstatus_all", false);
    BOOST_TEST(!passes(mw, refused));
}

BOOST_AUTO_TEST_CASE(ignored_responses_are_counted_by_status_and_logged_at_info) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{}, stats);
    DebugLogCapture log;
    for (int status : {200, 404, 402, 500, 404}) passes(mw, response_with(status));
    BOOST_TEST(stats.get_int("httperror/response_ignored_count") == 4);
    BOOST_TEST(stats.get_int("httperror/response_ignored_status_count/404") == 2);
    BOOST_TEST(stats.get_int("httperror/response_ignored_status_count/402") == 1);
    BOOST_TEST(stats.get_int("httperror/response_ignored_status_count/500") == 1);
    BOOST_TEST(!stats.contains("httperror/response_ignored_status_count/200"));
    BOOST_TEST(log.count_exact(interloop::log::Level::info,
                               "Ignoring response <404 http://scrapytest.org/>: HTTP status code "
                               "is not handled or not allowed") == 2u);
    BOOST_TEST(log.count("Ignoring response <402") == 1u);
    BOOST_TEST(log.count("Ignoring response <200") == 0u);
    BOOST_TEST(log.lines.size() == 4u);
}

BOOST_AUTO_TEST_CASE(allowed_responses_count_nothing) {
    StatsCollector stats;
    HttpErrorMiddleware mw(Settings{{"HTTPERROR_ALLOW_ALL", "True"}}, stats);
    DebugLogCapture log;
    BOOST_TEST(passes(mw, response_with(404)));
    BOOST_TEST(stats.values().empty());
    BOOST_TEST(log.lines.empty());
}

BOOST_AUTO_TEST_SUITE_END()
