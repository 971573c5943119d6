// HttpUrl, urljoin and canonicalize_url.

#include <boost/test/unit_test.hpp>

#include <string>

#include "spider/url.hpp"

using namespace interloop::spider;

BOOST_AUTO_TEST_SUITE(url)

BOOST_AUTO_TEST_CASE(parse_lowercases_scheme_and_host_and_keeps_the_rest) {
    HttpUrl u = parse_http_url("HTTP://Quotes.ToScrape.COM:8080/Page/2/?Tag=Love#Top");
    BOOST_TEST(u.str() == "http://quotes.toscrape.com:8080/Page/2/?Tag=Love#Top");
    BOOST_TEST(u.host() == "quotes.toscrape.com");
    BOOST_TEST(u.port() == 8080);
    BOOST_TEST(!u.https());
}

BOOST_AUTO_TEST_CASE(parse_gives_an_empty_path_a_slash_and_default_ports) {
    BOOST_TEST(parse_http_url("http://example.com").str() == "http://example.com/");
    BOOST_TEST(parse_http_url("http://example.com?q=1").str() == "http://example.com/?q=1");
    BOOST_TEST(parse_http_url("http://example.com").port() == 80);
    HttpUrl secure = parse_http_url("https://example.com/x");
    BOOST_TEST(secure.https());
    BOOST_TEST(secure.port() == 443);
}

BOOST_AUTO_TEST_CASE(parse_accepts_ip_literals) {
    BOOST_TEST(parse_http_url("http://127.0.0.1:9/").host() == "127.0.0.1");
    HttpUrl v6 = parse_http_url("http://[::1]:8080/x");
    BOOST_TEST(v6.host() == "[::1]");
    BOOST_TEST(v6.port() == 8080);
}

BOOST_AUTO_TEST_CASE(parse_escapes_what_browsers_accept_in_hrefs) {
    BOOST_TEST(parse_http_url("  http://example.com/a b\n  ").str() == "http://example.com/a%20b");
    BOOST_TEST(parse_http_url("http://example.com/caf\xc3\xa9").str() ==
               "http://example.com/caf%C3%A9");
    BOOST_TEST(parse_http_url("http://example.com/?q=\"x\"&r=[1]").str() ==
               "http://example.com/?q=%22x%22&r=%5B1%5D");
    BOOST_TEST(parse_http_url("http://example.com/100%/x").str() == "http://example.com/100%25/x");
    BOOST_TEST(parse_http_url("http://example.com/a#b#c").str() == "http://example.com/a#b%23c");
    BOOST_TEST(parse_http_url("http://exa\tmple.com/").str() == "http://example.com/");
}

BOOST_AUTO_TEST_CASE(parse_rejects_what_cannot_be_requested) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"/relative/path", "relative URL without a base"},
        {"page.html", "relative URL without a base"},
        {"ftp://example.com/file", "scheme \"ftp\" is not http or https"},
        {"mailto:someone@example.com", "scheme \"mailto\" is not http or https"},
        {"javascript:void(0)", "scheme \"javascript\" is not http or https"},
        {"file:///etc/passwd", "scheme \"file\" is not http or https"},
        {"http:///no-host", "no host"},
        {"http://example.com:99999/", "port out of range"},
        {"http://example.com:0/", "port out of range"},
        {"http://example.com:8x/", "malformed host or port"},
        {"http://exa mple.com:xyz/", "malformed host or port"},
        {"http://example.com:-1/", "malformed host or port"},
        {"http://[::1/", "malformed URL"},
    };
    for (const auto& [text, reason] : cases) {
        BOOST_TEST_CONTEXT("url: \"" << text << "\"") {
            std::string why;
            BOOST_TEST(!try_parse_http_url(text, &why).has_value());
            BOOST_TEST(why == reason);
            BOOST_CHECK_THROW(parse_http_url(text), InvalidUrl);
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_url_says_what_and_why) {
    try {
        parse_http_url("gopher://old.example/");
        BOOST_FAIL("no exception");
    } catch (const InvalidUrl& error) {
        BOOST_TEST(error.url() == "gopher://old.example/");
        BOOST_TEST(error.reason() == "scheme \"gopher\" is not http or https");
        BOOST_TEST(std::string(error.what()) ==
                   "invalid URL \"gopher://old.example/\": scheme \"gopher\" is not http or https");
    }
}

BOOST_AUTO_TEST_CASE(urljoin_resolves_like_a_browser) {
    const std::string base = "http://a/b/c/d;p?q";
    BOOST_TEST(urljoin(base, "g") == "http://a/b/c/g");
    BOOST_TEST(urljoin(base, "../g") == "http://a/b/g");
    BOOST_TEST(urljoin(base, "/g") == "http://a/g");
    BOOST_TEST(urljoin(base, "//g/x") == "http://g/x");
    BOOST_TEST(urljoin(base, "?y") == "http://a/b/c/d;p?y");
    BOOST_TEST(urljoin(base, "#s") == "http://a/b/c/d;p?q#s");
    BOOST_TEST(urljoin(base, "") == "http://a/b/c/d;p?q");
    BOOST_TEST(urljoin(base, "https://other.example/x") == "https://other.example/x");
    BOOST_TEST(urljoin(base, "  next page.html ") == "http://a/b/c/next%20page.html");
    BOOST_TEST(urljoin(base, "mailto:x@example.com") == "mailto:x@example.com");
}

BOOST_AUTO_TEST_CASE(urljoin_rejects_a_relative_base) {
    BOOST_CHECK_THROW(urljoin("/relative", "x"), InvalidUrl);
    std::string why;
    BOOST_TEST(!try_urljoin("not a base", "x", &why).has_value());
    BOOST_TEST(why == "the base is not an absolute URL");
}

BOOST_AUTO_TEST_CASE(canonical_form_follows_scrapy) {
    BOOST_TEST(canonicalize_url("HTTP://Example.COM:80/a%7e%2fb?b=2&a=1&a=0#frag") ==
               "http://example.com/a~%2Fb?a=0&a=1&b=2");
    BOOST_TEST(canonicalize_url("https://example.com:443/") == "https://example.com/");
    BOOST_TEST(canonicalize_url("https://example.com:8443/") == "https://example.com:8443/");
    BOOST_TEST(canonicalize_url("http://example.com") == "http://example.com/");
    BOOST_TEST(canonicalize_url("http://example.com/?") == "http://example.com/");
    BOOST_TEST(canonicalize_url("http://example.com/p?&&") == "http://example.com/p");
    BOOST_TEST(canonicalize_url("http://example.com/caf%c3%a9") == "http://example.com/caf%C3%A9");
}

BOOST_AUTO_TEST_CASE(canonical_query_is_sorted_and_uniformly_encoded) {
    BOOST_TEST(canonicalize_url("http://e.com/s?q=a+b") ==
               canonicalize_url("http://e.com/s?q=a%20b"));
    BOOST_TEST(canonicalize_url("http://e.com/s?q=a+b") == "http://e.com/s?q=a+b");
    BOOST_TEST(canonicalize_url("http://e.com/s?b=&a") == "http://e.com/s?a=&b=");
    BOOST_TEST(canonicalize_url("http://e.com/s?x=%2f&y=%7E") == "http://e.com/s?x=%2F&y=~");
}

BOOST_AUTO_TEST_CASE(canonical_form_keeps_the_fragment_on_request) {
    BOOST_TEST(canonicalize_url("http://e.com/p#Part%7e2", true) == "http://e.com/p#Part~2");
    BOOST_TEST(canonicalize_url("http://e.com/p#x") == canonicalize_url("http://e.com/p#y"));
}

BOOST_AUTO_TEST_CASE(canonical_form_rejects_non_http_urls) {
    BOOST_CHECK_THROW(canonicalize_url("ftp://e.com/"), InvalidUrl);
}

BOOST_AUTO_TEST_CASE(joining_a_plain_path_gives_what_urljoin_gives) {
    const std::vector<std::string> bases = {"http://example.com/a/b/c", "https://Ex.com:8443/x/",
                                            "http://[::1]:8080/p?q=1#f", "http://e.com"};
    const std::vector<std::string> hrefs = {"/", "/page/2/", "/a-b_c~d.e/f", "/x#frag",
                                            "/tag/t/page/10/#q41"};
    for (const auto& base_text : bases) {
        const HttpUrl base = HttpUrl::parse(base_text);
        for (const auto& href : hrefs) {
            auto fast = base.join_plain_reference(href);
            BOOST_REQUIRE_MESSAGE(fast.has_value(), base_text << " + " << href);
            const HttpUrl slow = HttpUrl::parse(urljoin(base.str(), href));
            BOOST_TEST(fast->str() == slow.str());
            BOOST_TEST(fast->host() == slow.host());
            BOOST_TEST(fast->port() == slow.port());
        }
    }
}

BOOST_AUTO_TEST_CASE(references_that_are_not_plain_paths_are_left_to_urljoin) {
    const HttpUrl base = HttpUrl::parse("http://example.com/a/b");
    for (std::string href : {"", "#frag", "//other.com/", "?q", "/a?q=1", "/a%20b", "/a b",
                             "http://example.com/", "mailto:x", "/x#a#b", "/caf\xc3\xa9"})
        BOOST_TEST(!base.join_plain_reference(href).has_value(), href);
}

BOOST_AUTO_TEST_CASE(canonical_urls_come_back_unchanged_and_the_rest_is_canonicalized) {
    BOOST_TEST(canonicalize_url(HttpUrl::parse("http://e.com:8080/a/b")) ==
               "http://e.com:8080/a/b");
    BOOST_TEST(canonicalize_url(HttpUrl::parse("http://e.com:80/a")) == "http://e.com/a");
    BOOST_TEST(canonicalize_url(HttpUrl::parse("https://e.com:443/")) == "https://e.com/");
    BOOST_TEST(canonicalize_url(HttpUrl::parse("http://e.com/a#f")) == "http://e.com/a");
    BOOST_TEST(canonicalize_url(HttpUrl::parse("http://u@e.com/a")) == "http://u@e.com/a");
    BOOST_TEST(canonicalize_url(HttpUrl::parse("http://e.com/%7e")) == "http://e.com/~");
}

BOOST_AUTO_TEST_SUITE_END()
