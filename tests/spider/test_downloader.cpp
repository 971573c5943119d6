// The libcurl Downloader on every real reactor, against a local fixture server.

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "spider/detail/curl_easy.hpp"
#include "spider/downloader.hpp"
#include "tests/reactor/reactor_factories.hpp"
#include "tests/spider/downloader_testing.hpp"
#include "tests/spider/fixture_server.hpp"

using namespace std::chrono_literals;
using namespace interloop;
using namespace interloop::spider;
using namespace interloop::testing;

#define REACTOR_TEST(name) \
    BOOST_DATA_TEST_CASE(name, boost::unit_test::data::make(reactor_factories()), factory)

BOOST_AUTO_TEST_SUITE(downloader)

REACTOR_TEST(fetches_a_page) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.user_agent = "interloop-test/1";
    Downloader downloader(*reactor, settings);
    auto result = fetch_one(*reactor, downloader, Request(server.url("/ok?x=1#frag")));
    BOOST_REQUIRE(result.has_value());
    const Response& response = result.value();
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.body == "ok /ok?x=1");
    BOOST_TEST(response.url == server.url("/ok?x=1#frag"));
    BOOST_TEST(response.request.url() == server.url("/ok?x=1#frag"));
    BOOST_TEST(response.protocol == "HTTP/1.1");
    BOOST_TEST(response.redirects == 0);
    BOOST_TEST(*response.headers.get("content-type") == "text/plain");
    BOOST_TEST(server.seen().at(0).user_agent == "interloop-test/1");
    BOOST_TEST(downloader.stats().responses_by_status.at(200) == 1u);
    BOOST_TEST(downloader.stats().response_bytes == response.body.size());
    BOOST_TEST(downloader.in_flight() == 0u);
}

REACTOR_TEST(host_names_are_resolved) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    const std::string url = "http://localhost:" + std::to_string(server.port()) + "/ok";
    auto results =
        await_all(*reactor, {downloader.fetch(Request(url)), downloader.fetch(Request(url))});
    for (const auto& result : results) {
        BOOST_REQUIRE(result.has_value());
        BOOST_TEST(result.value().body == "ok /ok");
    }
}

REACTOR_TEST(an_http_error_status_is_a_response) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    auto result = fetch_one(*reactor, downloader, Request(server.url("/status?code=503")));
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result.value().status == 503);
    BOOST_TEST(result.value().body == "status 503");
}

REACTOR_TEST(methods_headers_and_bodies_are_sent) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    Request post(server.url("/ok"));
    post.method = "POST";
    post.body = "a=1&b=2";
    post.headers.set("User-Agent", "custom/2");
    Request head(server.url("/bytes?n=10"));
    head.method = "HEAD";
    Request put(server.url("/ok"));
    put.method = "PUT";
    put.body = "payload";
    Request get(server.url("/ok"));  // after the others: nothing of theirs sticks
    auto results = await_all(
        *reactor, {downloader.fetch(post), downloader.fetch(head), downloader.fetch(put)});
    for (const auto& r : results) BOOST_REQUIRE(r.has_value());
    BOOST_TEST(results[1].value().body.empty());
    BOOST_TEST(*results[1].value().headers.get("Content-Length") == "10");
    BOOST_REQUIRE(fetch_one(*reactor, downloader, get).has_value());
    auto seen = server.seen();
    BOOST_REQUIRE(seen.size() == 4u);
    std::sort(seen.begin(), seen.begin() + 3,
              [](const SeenRequest& a, const SeenRequest& b) { return a.method < b.method; });
    BOOST_TEST(seen[0].method == "HEAD");
    BOOST_TEST(seen[1].method == "POST");
    BOOST_TEST(seen[1].body == "a=1&b=2");
    BOOST_TEST(seen[1].user_agent == "custom/2");
    BOOST_TEST(seen[2].method == "PUT");
    BOOST_TEST(seen[2].body == "payload");
    BOOST_TEST(seen[3].method == "GET");
    BOOST_TEST(seen[3].body.empty());
    BOOST_TEST(seen[3].user_agent == downloader.settings().user_agent);
}

REACTOR_TEST(sequential_requests_reuse_one_connection) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    for (int i = 0; i < 5; ++i) {
        auto result = fetch_one(*reactor, downloader, Request(server.url("/ok")));
        BOOST_REQUIRE(result.has_value());
    }
    BOOST_TEST(server.requests() == 5u);
    BOOST_TEST(server.connections() == 1u);
}

REACTOR_TEST(per_domain_concurrency_is_never_exceeded) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor, settings_with(16, 2));
    std::vector<Deferred<Response>> fetches;
    for (int i = 0; i < 8; ++i)
        fetches.push_back(downloader.fetch(Request(server.url("/slow?ms=40"))));
    BOOST_TEST(downloader.transferring() == 2u);
    BOOST_TEST(downloader.queued() == 6u);
    for (const auto& r : await_all(*reactor, fetches)) BOOST_TEST(r.has_value());
    BOOST_TEST(server.max_active_requests() == 2u);
    BOOST_TEST(server.max_open_connections() <= 2u);
}

REACTOR_TEST(global_concurrency_is_never_exceeded) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor, settings_with(3, 8));
    std::vector<Deferred<Response>> fetches;
    for (int i = 0; i < 9; ++i)
        fetches.push_back(downloader.fetch(Request(server.url("/slow?ms=40"))));
    for (const auto& r : await_all(*reactor, fetches)) BOOST_TEST(r.has_value());
    BOOST_TEST(server.max_active_requests() == 3u);
    BOOST_TEST(server.max_open_connections() <= 3u);
}

REACTOR_TEST(many_requests_share_a_few_kept_alive_connections) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor, settings_with(16, 4));
    std::vector<Deferred<Response>> fetches;
    for (int i = 0; i < 200; ++i)
        fetches.push_back(downloader.fetch(Request(server.url("/ok?i=" + std::to_string(i)))));
    auto results = await_all(*reactor, fetches);
    for (std::size_t i = 0; i < results.size(); ++i) {
        BOOST_REQUIRE(results[i].has_value());
        BOOST_TEST(results[i].value().body == "ok /ok?i=" + std::to_string(i));
    }
    BOOST_TEST(server.connections() <= 4u);
    BOOST_TEST(downloader.stats().responses == 200u);
}

REACTOR_TEST(download_delay_keeps_request_order) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings = settings_with(16, 8);
    settings.download_delay = 30ms;
    Downloader downloader(*reactor, settings);
    const double begin = reactor->seconds();
    std::vector<Deferred<Response>> fetches;
    for (int i = 1; i <= 3; ++i)
        fetches.push_back(downloader.fetch(Request(server.url("/ok?i=" + std::to_string(i)))));
    BOOST_TEST(downloader.transferring() == 1u);
    for (const auto& r : await_all(*reactor, fetches)) BOOST_TEST(r.has_value());
    BOOST_TEST(reactor->seconds() - begin >= 0.06);
    auto seen = server.seen();
    BOOST_REQUIRE(seen.size() == 3u);
    for (int i = 0; i < 3; ++i) BOOST_TEST(seen[i].target == "/ok?i=" + std::to_string(i + 1));
}

REACTOR_TEST(a_slow_server_times_out) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.download_timeout = 200ms;
    Downloader downloader(*reactor, settings);
    const double begin = reactor->seconds();
    BOOST_TEST(is(fetch_one(*reactor, downloader, Request(server.url("/hang"))),
                  DownloadErrorReason::timeout));
    BOOST_TEST(reactor->seconds() - begin >= 0.19);
    BOOST_TEST(downloader.stats().errors(DownloadErrorReason::timeout) == 1u);
}

REACTOR_TEST(an_announced_body_over_the_size_limit_fails) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.download_maxsize = 1000;
    Downloader downloader(*reactor, settings);
    auto results = await_all(*reactor, {downloader.fetch(Request(server.url("/bytes?n=1000"))),
                                        downloader.fetch(Request(server.url("/bytes?n=5000")))});
    BOOST_REQUIRE(results[0].has_value());
    BOOST_TEST(results[0].value().body.size() == 1000u);
    BOOST_TEST(is(results[1], DownloadErrorReason::too_large));
}

REACTOR_TEST(a_streamed_body_over_the_size_limit_fails) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.download_maxsize = 1000;
    Downloader downloader(*reactor, settings);
    auto results =
        await_all(*reactor, {downloader.fetch(Request(server.url("/chunked?n=1000&chunk=100"))),
                             downloader.fetch(Request(server.url("/chunked?n=100000&chunk=100")))});
    BOOST_REQUIRE(results[0].has_value());
    BOOST_TEST(results[0].value().body == std::string(1000, 'y'));
    BOOST_TEST(is(results[1], DownloadErrorReason::too_large));
}

REACTOR_TEST(redirects_are_followed_up_to_the_limit) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.redirect_max_times = 2;
    Downloader downloader(*reactor, settings);
    auto results = await_all(*reactor, {downloader.fetch(Request(server.url("/redirect?n=2"))),
                                        downloader.fetch(Request(server.url("/redirect?n=3")))});
    BOOST_REQUIRE(results[0].has_value());
    const Response& landed = results[0].value();
    BOOST_TEST(landed.status == 200);
    BOOST_TEST(landed.body == "landed");
    BOOST_TEST(landed.redirects == 2);
    BOOST_TEST(landed.url == server.url("/redirect?n=0"));
    BOOST_TEST(landed.request.url() == server.url("/redirect?n=2"));
    BOOST_TEST(is(results[1], DownloadErrorReason::too_many_redirects));
}

REACTOR_TEST(a_redirect_is_returned_when_redirects_are_disabled) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.redirect_enabled = false;
    Downloader downloader(*reactor, settings);
    auto result = fetch_one(*reactor, downloader, Request(server.url("/redirect?n=1")));
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result.value().status == 302);
    BOOST_TEST(*result.value().headers.get("Location") == "/redirect?n=0");
}

REACTOR_TEST(a_redirect_to_another_scheme_is_refused) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    auto results = await_all(
        *reactor,
        {downloader.fetch(Request(server.url("/redirect-to?location=ftp%3A%2F%2F127.0.0.1%2Fx"))),
         downloader.fetch(
             Request(server.url("/redirect-to?location=file%3A%2F%2F%2Fetc%2Fpasswd"))),
         downloader.fetch(Request(server.url("/redirect-to?location=gopher%3A%2F%2Fx%2F")))});
    for (const auto& r : results) BOOST_TEST(is(r, DownloadErrorReason::bad_scheme));
    BOOST_TEST(server.requests() == 3u);
}

REACTOR_TEST(connection_refused_is_a_connect_failure) {
    auto reactor = factory.make();
    Downloader downloader(*reactor);
    const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    BOOST_TEST(is(fetch_one(*reactor, downloader, Request(url)), DownloadErrorReason::connect));
}

REACTOR_TEST(a_cut_off_body_is_a_lost_connection) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    BOOST_TEST(is(fetch_one(*reactor, downloader, Request(server.url("/partial"))),
                  DownloadErrorReason::connection_lost));
}

REACTOR_TEST(a_gzip_body_is_decoded) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    auto result = fetch_one(*reactor, downloader, Request(server.url("/gzip")));
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result.value().body == FixtureServer::gzip_text());
    BOOST_TEST(*result.value().headers.get("Content-Encoding") == "gzip");
    BOOST_TEST(server.seen().at(0).accept_encoding.find("gzip") != std::string::npos);
}

REACTOR_TEST(compression_can_be_turned_off) {
    auto reactor = factory.make();
    FixtureServer server;
    DownloaderSettings settings;
    settings.compression = false;
    Downloader downloader(*reactor, settings);
    auto result = fetch_one(*reactor, downloader, Request(server.url("/gzip")));
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result.value().body == FixtureServer::gzip_text());
    BOOST_TEST(!result.value().headers.contains("Content-Encoding"));
    BOOST_TEST(server.seen().at(0).accept_encoding.empty());
}

REACTOR_TEST(cancelling_mid_transfer_removes_the_transfer) {
    auto reactor = factory.make();
    FixtureServer server;
    Downloader downloader(*reactor);
    auto slow = downloader.fetch(Request(server.url("/slow?ms=5000")));
    reactor->call_later(100ms, [&] { slow.cancel(); });
    auto cancelled = await_all(*reactor, {slow});
    BOOST_TEST(is_cancelled(cancelled[0]));
    BOOST_TEST(downloader.in_flight() == 0u);
    auto after = fetch_one(*reactor, downloader, Request(server.url("/ok")));
    BOOST_TEST(after.has_value());
}

REACTOR_TEST(destroying_the_downloader_fails_what_is_in_flight) {
    auto reactor = factory.make();
    FixtureServer server;
    auto downloader = std::make_unique<Downloader>(*reactor, settings_with(2, 2));
    std::vector<Deferred<Response>> fetches;
    for (int i = 0; i < 3; ++i) fetches.push_back(downloader->fetch(Request(server.url("/hang"))));
    reactor->call_later(100ms, [&] { downloader.reset(); });
    for (const auto& r : await_all(*reactor, fetches))
        BOOST_TEST(is(r, DownloadErrorReason::cancelled));
}

REACTOR_TEST(a_callback_may_destroy_the_downloader_mid_flight) {
    auto reactor = factory.make();
    FixtureServer server;
    auto downloader = std::make_unique<Downloader>(*reactor);
    auto first = downloader->fetch(Request(server.url("/ok")));
    auto hanging = downloader->fetch(Request(server.url("/hang")));
    first.add_callback([&](Response response) {
        downloader.reset();
        return response;
    });
    auto results = await_all(*reactor, {first, hanging});
    BOOST_TEST(results[0].has_value());
    BOOST_TEST(is(results[1], DownloadErrorReason::cancelled));
}

REACTOR_TEST(bad_urls_never_reach_the_downloader) {
    auto reactor = factory.make();
    Downloader downloader(*reactor);
    BOOST_CHECK_THROW(downloader.fetch(Request("http://exa mple.com:xyz/")), InvalidUrl);
    BOOST_CHECK_THROW(downloader.fetch(Request("ftp://127.0.0.1/file")), InvalidUrl);
    BOOST_TEST(downloader.stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(curl_codes_map_to_reasons) {
    using R = DownloadErrorReason;
    const std::pair<CURLcode, R> cases[] = {
        {CURLE_COULDNT_RESOLVE_HOST, R::dns},
        {CURLE_COULDNT_CONNECT, R::connect},
        {CURLE_OPERATION_TIMEDOUT, R::timeout},
        {CURLE_FILESIZE_EXCEEDED, R::too_large},
        {CURLE_TOO_MANY_REDIRECTS, R::too_many_redirects},
        {CURLE_UNSUPPORTED_PROTOCOL, R::bad_scheme},
        {CURLE_GOT_NOTHING, R::connection_lost},
        {CURLE_RECV_ERROR, R::connection_lost},
        {CURLE_PEER_FAILED_VERIFICATION, R::tls},
        {CURLE_BAD_CONTENT_ENCODING, R::other},
    };
    for (const auto& [code, reason] : cases)
        BOOST_TEST((spider::detail::reason_for_curl_code(code) == reason),
                   "CURLcode " << int(code));
}

BOOST_AUTO_TEST_SUITE_END()
