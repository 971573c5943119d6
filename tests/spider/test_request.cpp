// Request, Response, Headers, Meta and DownloadError as values.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "spider/callback.hpp"
#include "spider/download_error.hpp"
#include "spider/request.hpp"
#include "spider/response.hpp"

using namespace interloop::spider;

BOOST_AUTO_TEST_SUITE(request)

BOOST_AUTO_TEST_CASE(a_request_has_scrapy_defaults) {
    Request r("HTTP://Example.com/a");
    BOOST_TEST(r.url() == "http://example.com/a");
    BOOST_TEST(r.host() == "example.com");
    BOOST_TEST(r.method == "GET");
    BOOST_TEST(r.headers.empty());
    BOOST_TEST(r.body.empty());
    BOOST_TEST(r.priority == 0);
    BOOST_TEST(!r.dont_filter);
    BOOST_TEST(!r.callback);
    BOOST_TEST(!r.errback);
    BOOST_TEST(r.meta.empty());
}

BOOST_AUTO_TEST_CASE(a_bad_url_is_refused_at_construction) {
    BOOST_CHECK_THROW(Request("ftp://example.com/"), InvalidUrl);
    BOOST_CHECK_THROW(Request("not a url"), InvalidUrl);
    std::string why;
    BOOST_TEST(!Request::try_make("javascript:go()", &why).has_value());
    BOOST_TEST(why == "scheme \"javascript\" is not http or https");
    BOOST_TEST(Request::try_make("https://example.com/").has_value());
}

BOOST_AUTO_TEST_CASE(set_url_validates_and_keeps_the_old_url_on_error) {
    Request r("http://example.com/a");
    r.set_url("https://other.example/b");
    BOOST_TEST(r.url() == "https://other.example/b");
    BOOST_TEST(r.host() == "other.example");
    BOOST_CHECK_THROW(r.set_url("mailto:x@y"), InvalidUrl);
    BOOST_TEST(r.url() == "https://other.example/b");
}

BOOST_AUTO_TEST_CASE(a_request_is_a_value) {
    Request a("http://example.com/");
    a.headers.add("X-A", "1");
    a.meta.set("depth", 1);
    Request b = a;
    b.method = "POST";
    b.headers.set("X-A", "2");
    *b.meta.get<int>("depth") = 2;
    BOOST_TEST(a.method == "GET");
    BOOST_TEST(*a.headers.get("x-a") == "1");
    BOOST_TEST(*a.meta.get<int>("depth") == 1);
    BOOST_TEST(*b.meta.get<int>("depth") == 2);
}

BOOST_AUTO_TEST_CASE(headers_are_looked_up_ignoring_case) {
    Headers h{{"Content-Type", "text/html"}, {"Set-Cookie", "a=1"}};
    h.add("set-cookie", "b=2");
    BOOST_TEST(*h.get("content-type") == "text/html");
    BOOST_TEST(*h.get("CONTENT-TYPE") == "text/html");
    BOOST_TEST(!h.get("Content-Length").has_value());
    BOOST_TEST((h.get_all("Set-Cookie") == std::vector<std::string_view>{"a=1", "b=2"}));
    h.set("SET-COOKIE", "c=3");
    BOOST_TEST((h.get_all("set-cookie") == std::vector<std::string_view>{"c=3"}));
    BOOST_TEST(h.size() == 2u);
    BOOST_TEST(h.remove("content-type") == 1u);
    BOOST_TEST(!h.contains("Content-Type"));
    h.set("X-New", "1");
    BOOST_TEST(h.contains("x-new"));
}

BOOST_AUTO_TEST_CASE(meta_is_typed) {
    struct Page {
        int number;
    };
    Meta meta;
    meta.set("depth", 3);
    meta.set("page", Page{7});
    meta.set("name", std::string("quotes"));
    BOOST_TEST(*meta.get<int>("depth") == 3);
    BOOST_TEST(meta.get<Page>("page")->number == 7);
    BOOST_TEST(meta.get<long>("depth") == nullptr);  // wrong type
    BOOST_TEST(meta.get<int>("missing") == nullptr);
    BOOST_TEST(meta.value_or<int>("missing", 9) == 9);
    BOOST_TEST(meta.value_or<std::string>("name", "") == "quotes");
    meta.set("depth", std::string("three"));  // replaced, with another type
    BOOST_TEST(meta.get<int>("depth") == nullptr);
    BOOST_TEST(*meta.get<std::string>("depth") == "three");
    BOOST_TEST(meta.erase("depth"));
    BOOST_TEST(!meta.erase("depth"));
    BOOST_TEST(meta.size() == 2u);
}

BOOST_AUTO_TEST_CASE(response_joins_and_follows_from_its_final_url) {
    Response page(Request("http://example.com/start"), 200, "<html/>");
    page.url = "http://example.com/catalogue/page-2.html";  // after a redirect
    BOOST_TEST(page.text() == "<html/>");
    BOOST_TEST(page.urljoin("page-3.html") == "http://example.com/catalogue/page-3.html");
    Request next = page.follow("../author/Albert-Einstein");
    BOOST_TEST(next.url() == "http://example.com/author/Albert-Einstein");
    BOOST_TEST(next.method == "GET");
    BOOST_TEST(next.meta.empty());
}

BOOST_AUTO_TEST_CASE(follow_inherits_nothing_but_the_base) {
    Request first("http://example.com/");
    first.method = "POST";
    first.priority = 5;
    first.meta.set("depth", 1);
    first.headers.add("X-A", "1");
    Response page(std::move(first), 200, "");
    bool called = false;
    Request next = page.follow("/next", [&](const Response&) -> CallbackResult {
        called = true;
        return {};
    });
    BOOST_TEST(next.method == "GET");
    BOOST_TEST(next.priority == 0);
    BOOST_TEST(next.meta.empty());
    BOOST_TEST(next.headers.empty());
    BOOST_TEST(static_cast<bool>(next.callback));
    BOOST_TEST(!called);
}

BOOST_AUTO_TEST_CASE(follow_refuses_links_that_are_not_http) {
    Response page(Request("http://example.com/"), 200, "");
    BOOST_CHECK_THROW(page.follow("mailto:a@example.com"), InvalidUrl);
    BOOST_CHECK_THROW(page.follow("javascript:void(0)"), InvalidUrl);
    std::string why;
    BOOST_TEST(!page.try_follow("ftp://example.com/f", &why).has_value());
    BOOST_TEST(why == "scheme \"ftp\" is not http or https");
    BOOST_TEST(page.try_follow("/ok")->url() == "http://example.com/ok");
}

BOOST_AUTO_TEST_CASE(download_error_names_its_reason_and_keeps_the_request) {
    auto request = std::make_shared<const Request>("http://example.com/x");
    DownloadError error(DownloadErrorReason::timeout, "Operation timed out", request->url(), 28,
                        request);
    BOOST_TEST(std::string(error.what()) ==
               "download failed (timeout): Operation timed out <http://example.com/x>");
    BOOST_TEST((error.reason() == DownloadErrorReason::timeout));
    BOOST_TEST(error.curl_code() == 28);
    BOOST_TEST(error.request()->url() == "http://example.com/x");
    BOOST_TEST(to_string(DownloadErrorReason::too_many_redirects) == "too_many_redirects");
    BOOST_TEST(to_string(DownloadErrorReason::other) == "other");
}

BOOST_AUTO_TEST_SUITE_END()
