// RetryMiddleware and get_retry_request: which failures are retried, how often, and the stats
// and log lines, as Scrapy's retry middleware tests them.
#include "spider/middlewares/retry.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "reactor/errors.hpp"
#include "spider/middlewares/status_message.hpp"
#include "tests/spider/middlewares/middleware_testing.hpp"

using namespace interloop;
using namespace interloop::spider;
using interloop::spider::testing::as_request;
using interloop::spider::testing::as_response;
using interloop::spider::testing::DebugLogCapture;

namespace {

constexpr const char* url = "http://www.scrapytest.org/invalid_url";

Response response_with(const Request& request, int status) {
    return Response(request, status, "body");
}

Failure download_error(DownloadErrorReason reason, const Request& request) {
    return Failure::from(DownloadError(reason, "foo", request.url()));
}

// Feeds `failure` back for the same request until the middleware gives up; returns how many
// retries it made. Each retry must carry the next retry_times.
int retries_until_given_up(RetryMiddleware& mw, Request request,
                           DownloadErrorReason reason = DownloadErrorReason::dns) {
    for (int n = 1; n < 100; ++n) {
        auto result = mw.process_exception(request, download_error(reason, request));
        if (!result) return n - 1;
        const Request* retry = as_request(result);
        BOOST_REQUIRE(retry != nullptr);
        BOOST_TEST(retry->meta.value_or("retry_times", 0) == n);
        request = *retry;
    }
    BOOST_FAIL("never gave up");
    return -1;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(retry_middleware, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(a_retry_has_lower_priority_and_skips_the_duplicate_filter) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request("http://www.scrapytest.org/503");
    request.priority = 5;
    request.method = "POST";
    request.body = "a=1";
    request.meta.set("page", std::string("seven"));
    const auto result = mw.process_response(response_with(request, 503));
    const Request* retry = as_request(result);
    BOOST_REQUIRE(retry != nullptr);
    BOOST_TEST(retry->priority == 4);
    BOOST_TEST(retry->dont_filter);
    BOOST_TEST(retry->url() == request.url());
    BOOST_TEST(retry->method == "POST");
    BOOST_TEST(retry->body == "a=1");
    BOOST_TEST(retry->meta.value_or("page", std::string()) == "seven");
    // The original is a separate value, untouched.
    BOOST_TEST(!request.meta.contains("retry_times"));
    BOOST_TEST(!request.dont_filter);
}

BOOST_AUTO_TEST_CASE(statuses_not_listed_are_not_retried) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request("http://www.scrapytest.org/404");
    const auto result = mw.process_response(response_with(request, 404));
    const Response* response = as_response(result);
    BOOST_REQUIRE(response != nullptr);
    BOOST_TEST(response->status == 404);
    BOOST_TEST(response->body == "body");
    BOOST_TEST(stats.values().empty());
}

BOOST_AUTO_TEST_CASE(dont_retry_passes_responses_and_failures_on) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request("http://www.scrapytest.org/503");
    request.meta.set("dont_retry", true);
    BOOST_TEST(as_response(mw.process_response(response_with(request, 503))) != nullptr);
    BOOST_TEST(!mw.process_exception(request, download_error(DownloadErrorReason::dns, request)));

    request.meta.set("dont_retry", false);
    BOOST_TEST(as_response(mw.process_response(response_with(request, 200))) != nullptr);
    BOOST_TEST(as_request(mw.process_response(response_with(request, 503))) != nullptr);
}

BOOST_AUTO_TEST_CASE(a_503_is_retried_twice_then_handed_on_with_scrapys_stats) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request("http://www.scrapytest.org/503");
    for (int n = 1; n <= 2; ++n) {
        const auto result = mw.process_response(response_with(request, 503));
        const Request* retry = as_request(result);
        BOOST_REQUIRE(retry != nullptr);
        BOOST_TEST(retry->meta.value_or("retry_times", 0) == n);
        request = *retry;
    }
    const auto last = mw.process_response(response_with(request, 503));
    BOOST_REQUIRE(as_response(last) != nullptr);
    BOOST_TEST(as_response(last)->status == 503);
    BOOST_TEST(stats.get_int("retry/max_reached") == 1);
    BOOST_TEST(stats.get_int("retry/reason_count/503 Service Unavailable") == 2);
    BOOST_TEST(stats.get_int("retry/count") == 2);
}

BOOST_AUTO_TEST_CASE(transient_download_errors_are_retried) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    const DownloadErrorReason transient[] = {DownloadErrorReason::dns, DownloadErrorReason::connect,
                                             DownloadErrorReason::timeout,
                                             DownloadErrorReason::connection_lost};
    for (auto reason : transient) {
        BOOST_TEST_CONTEXT(to_string(reason)) {
            BOOST_TEST(mw.retries(reason));
            BOOST_TEST(retries_until_given_up(mw, Request(url), reason) == 2);
        }
    }
    BOOST_TEST(stats.get_int("retry/max_reached") == 4);
    BOOST_TEST(stats.get_int("retry/count") == 8);
    BOOST_TEST(stats.get_int("retry/reason_count/interloop.DownloadError.timeout") == 2);
    BOOST_TEST(stats.get_int("retry/reason_count/interloop.DownloadError.connection_lost") == 2);
}

BOOST_AUTO_TEST_CASE(lasting_download_errors_and_other_exceptions_are_not_retried) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request(url);
    const DownloadErrorReason lasting[] = {
        DownloadErrorReason::too_large,  DownloadErrorReason::too_many_redirects,
        DownloadErrorReason::bad_scheme, DownloadErrorReason::tls,
        DownloadErrorReason::cancelled,  DownloadErrorReason::other};
    for (auto reason : lasting) {
        BOOST_TEST_CONTEXT(to_string(reason)) {
            BOOST_TEST(!mw.retries(reason));
            BOOST_TEST(!mw.process_exception(request, download_error(reason, request)));
        }
    }
    BOOST_TEST(!mw.process_exception(request, Failure::from(std::runtime_error("boom"))));
    BOOST_TEST(!mw.process_exception(request, Failure::from(IgnoreRequest("ignored"))));
    BOOST_TEST(!mw.process_exception(request, Failure::from(CancelledError())));
    BOOST_TEST(stats.values().empty());
}

BOOST_AUTO_TEST_CASE(the_deferred_layers_timeout_is_retried) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request(url);
    const auto result = mw.process_exception(request, Failure::from(TimeoutError(180)));
    BOOST_TEST(as_request(result) != nullptr);
    BOOST_TEST(stats.get_int("retry/reason_count/interloop.TimeoutError") == 1);
}

BOOST_AUTO_TEST_CASE(retry_download_errors_chooses_the_reasons) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{{"RETRY_DOWNLOAD_ERRORS", "tls, timeout"}}, stats);
    BOOST_TEST(mw.retries(DownloadErrorReason::tls));
    BOOST_TEST(mw.retries(DownloadErrorReason::timeout));
    BOOST_TEST(!mw.retries(DownloadErrorReason::dns));
    Request request(url);
    BOOST_TEST(as_request(mw.process_exception(
                   request, download_error(DownloadErrorReason::tls, request))) != nullptr);
    BOOST_TEST(!mw.process_exception(request, download_error(DownloadErrorReason::dns, request)));

    BOOST_CHECK_THROW(RetryMiddleware(Settings{{"RETRY_DOWNLOAD_ERRORS", "dns,nonsense"}}, stats),
                      SettingsError);
}

BOOST_AUTO_TEST_CASE(retry_times_setting_bounds_the_retries) {
    StatsCollector stats;
    RetryMiddleware zero(Settings{{"RETRY_TIMES", "0"}}, stats);
    BOOST_TEST(retries_until_given_up(zero, Request(url)) == 0);
    RetryMiddleware five(Settings{{"RETRY_TIMES", "5"}}, stats);
    BOOST_TEST(five.max_retry_times() == 5);
    BOOST_TEST(retries_until_given_up(five, Request(url)) == 5);
}

BOOST_AUTO_TEST_CASE(max_retry_times_meta_overrides_the_setting) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{{"RETRY_TIMES", "2"}}, stats);
    Request zero(url);
    zero.meta.set("max_retry_times", 0);
    BOOST_TEST(retries_until_given_up(mw, zero) == 0);
    Request greater(url);
    greater.meta.set("max_retry_times", 3);
    BOOST_TEST(retries_until_given_up(mw, greater) == 3);
    Request as_long(url);
    as_long.meta.set("max_retry_times", 4L);
    BOOST_TEST(retries_until_given_up(mw, as_long) == 4);
    BOOST_TEST(retries_until_given_up(mw, Request(url)) == 2);

    RetryMiddleware five(Settings{{"RETRY_TIMES", "5"}}, stats);
    Request lesser(url);
    lesser.meta.set("max_retry_times", 4);
    BOOST_TEST(retries_until_given_up(five, lesser) == 4);

    Request dont(url);
    dont.meta.set("max_retry_times", 4);
    dont.meta.set("dont_retry", true);
    BOOST_TEST(retries_until_given_up(five, dont) == 0);
}

BOOST_AUTO_TEST_CASE(priority_adjust_comes_from_setting_or_meta) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{{"RETRY_PRIORITY_ADJUST", "2"}}, stats);
    Request request(url);
    request.priority = 10;
    auto first = mw.process_response(response_with(request, 500));
    BOOST_REQUIRE(as_request(first) != nullptr);
    BOOST_TEST(as_request(first)->priority == 12);
    request.meta.set("priority_adjust", -5);
    auto second = mw.process_response(response_with(request, 500));
    BOOST_REQUIRE(as_request(second) != nullptr);
    BOOST_TEST(as_request(second)->priority == 5);
}

BOOST_AUTO_TEST_CASE(retry_http_codes_chooses_the_statuses) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{{"RETRY_HTTP_CODES", "404, 429"}}, stats);
    Request request(url);
    BOOST_TEST(as_request(mw.process_response(response_with(request, 404))) != nullptr);
    BOOST_TEST(as_response(mw.process_response(response_with(request, 503))) != nullptr);
    BOOST_TEST(as_request(mw.process_response(response_with(request, 429))) != nullptr);
    // Statuses missing from Twisted's table are named as Scrapy names them.
    BOOST_TEST(stats.get_int("retry/reason_count/429 Unknown Status") == 1);
    BOOST_TEST(stats.get_int("retry/reason_count/404 Not Found") == 1);
}

BOOST_AUTO_TEST_CASE(retry_enabled_false_retries_nothing) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{{"RETRY_ENABLED", "False"}}, stats);
    BOOST_TEST(!mw.enabled());
    Request request(url);
    BOOST_TEST(as_response(mw.process_response(response_with(request, 503))) != nullptr);
    BOOST_TEST(!mw.process_exception(request, download_error(DownloadErrorReason::dns, request)));
    BOOST_TEST(stats.values().empty());
}

BOOST_AUTO_TEST_CASE(retries_are_logged_at_debug_and_giving_up_at_error) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{{"RETRY_TIMES", "1"}}, stats);
    Request request("http://www.scrapytest.org/503");
    DebugLogCapture log;
    auto first = mw.process_response(response_with(request, 503));
    BOOST_REQUIRE(as_request(first) != nullptr);
    auto second = mw.process_response(response_with(*as_request(first), 503));
    BOOST_TEST(as_response(second) != nullptr);
    BOOST_TEST(log.count_exact(interloop::log::Level::debug,
                               "Retrying <GET http://www.scrapytest.org/503> (failed 1 times): "
                               "503 Service Unavailable") == 1u);
    BOOST_TEST(log.count_exact(interloop::log::Level::error,
                               "Gave up retrying <GET http://www.scrapytest.org/503> (failed 2 "
                               "times): 503 Service Unavailable") == 1u);
    BOOST_TEST(log.lines.size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_exception_is_logged_by_its_message_and_counted_by_its_kind) {
    StatsCollector stats;
    RetryMiddleware mw(Settings{}, stats);
    Request request(url);
    DebugLogCapture log;
    auto result = mw.process_exception(
        request, Failure::from(DownloadError(DownloadErrorReason::dns, "no such host", url)));
    BOOST_TEST(as_request(result) != nullptr);
    BOOST_TEST(log.count("Retrying <GET http://www.scrapytest.org/invalid_url> (failed 1 "
                         "times): download failed (dns): no such host") == 1u);
    BOOST_TEST(stats.get_int("retry/reason_count/interloop.DownloadError.dns") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(get_retry_request_function, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(basic_usage) {
    StatsCollector stats;
    Request request("https://example.com");
    DebugLogCapture log;
    auto retry = get_retry_request(request, stats, {});
    BOOST_REQUIRE(retry.has_value());
    BOOST_TEST(retry->dont_filter);
    BOOST_TEST(retry->meta.value_or("retry_times", 0) == 1);
    BOOST_TEST(retry->priority == -1);
    BOOST_TEST(stats.get_int("retry/count") == 1);
    BOOST_TEST(stats.get_int("retry/reason_count/unspecified") == 1);
    BOOST_TEST(log.count_exact(interloop::log::Level::debug,
                               "Retrying <GET https://example.com/> (failed 1 times): "
                               "unspecified") == 1u);
}

BOOST_AUTO_TEST_CASE(max_retries_reached) {
    StatsCollector stats;
    Request request("https://example.com");
    DebugLogCapture log;
    RetryRequestOptions options;
    options.max_retry_times = 0;
    BOOST_TEST(!get_retry_request(request, stats, options).has_value());
    BOOST_TEST(stats.get_int("retry/max_reached") == 1);
    BOOST_TEST(!stats.contains("retry/count"));
    BOOST_TEST(log.count_exact(interloop::log::Level::error,
                               "Gave up retrying <GET https://example.com/> (failed 1 times): "
                               "unspecified") == 1u);
}

BOOST_AUTO_TEST_CASE(two_retries_lower_the_priority_each_time) {
    StatsCollector stats;
    Request request("https://example.com");
    for (int n = 1; n <= 2; ++n) {
        auto retry = get_retry_request(request, stats, {});
        BOOST_REQUIRE(retry.has_value());
        BOOST_TEST(retry->priority == -n);
        BOOST_TEST(stats.get_int("retry/count") == n);
        request = *retry;
    }
    BOOST_TEST(!get_retry_request(request, stats, {}).has_value());
}

BOOST_AUTO_TEST_CASE(reason_priority_and_stats_key_are_options) {
    StatsCollector stats;
    Request request("https://example.com");
    RetryRequestOptions options;
    options.reason = "empty";
    options.priority_adjust = 1;
    options.stats_base_key = "custom";
    auto retry = get_retry_request(request, stats, options);
    BOOST_REQUIRE(retry.has_value());
    BOOST_TEST(retry->priority == 1);
    BOOST_TEST(stats.get_int("custom/count") == 1);
    BOOST_TEST(stats.get_int("custom/reason_count/empty") == 1);
    BOOST_TEST(!stats.contains("retry/count"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(status_messages, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(statuses_read_as_twisted_names_them) {
    BOOST_TEST(status_message(503) == "503 Service Unavailable");
    BOOST_TEST(status_message(500) == "500 Internal Server Error");
    BOOST_TEST(status_message(408) == "408 Request Time-out");
    BOOST_TEST(status_message(504) == "504 Gateway Time-out");
    BOOST_TEST(status_message(100) == "100 Continue");
    BOOST_TEST(status_message(510) == "510 Not Extended");
    BOOST_TEST(status_message(429) == "429 Unknown Status");
    BOOST_TEST(status_message(522) == "522 Unknown Status");
    BOOST_TEST(status_message(0) == "0 Unknown Status");
}

BOOST_AUTO_TEST_SUITE_END()
