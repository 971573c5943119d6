// OffsiteMiddleware: allowed domains and subdomains, what passes anyway, stats and log lines.
#include "spider/middlewares/offsite.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/spider/middlewares/middleware_testing.hpp"

using namespace interloop::spider;
using interloop::spider::testing::DebugLogCapture;

namespace {

// The request whose callback yields the outputs under test.
const Request& source() {
    static const Request request("http://scrapytest.org");
    return request;
}

bool passes(OffsiteMiddleware& mw, Output output) {
    const Response response(source(), 200, "");
    return mw.process_spider_output(output, source(), &response);
}

bool passes(OffsiteMiddleware& mw, const char* url, bool dont_filter = false) {
    Request request(url);
    request.dont_filter = dont_filter;
    return passes(mw, Output(std::move(request)));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(offsite_middleware, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(allowed_domains_and_their_subdomains_pass) {
    StatsCollector stats;
    OffsiteMiddleware mw({"scrapytest.org", "scrapy.org", "scrapy.test.org"}, stats);
    for (const char* onsite :
         {"http://scrapytest.org/1", "http://scrapy.org/1", "http://sub.scrapy.org/1",
          "http://scrapy.test.org/", "http://scrapy.test.org:8000/"})
        BOOST_TEST(passes(mw, onsite), onsite);
    BOOST_TEST(passes(mw, "http://offsite.tld/letmepass", true));
    for (const char* offsite :
         {"http://scrapy2.org", "http://offsite.tld/", "http://offsite.tld/scrapytest.org",
          "http://offsite.tld/rogue.scrapytest.org", "http://rogue.scrapytest.org.haha.com",
          "http://roguescrapytest.org", "http://test.org/", "http://notscrapy.test.org/"})
        BOOST_TEST(!passes(mw, offsite), offsite);
}

BOOST_AUTO_TEST_CASE(an_empty_list_allows_every_host) {
    StatsCollector stats;
    OffsiteMiddleware mw({}, stats);
    BOOST_TEST(passes(mw, "http://a.com/b.html"));
    BOOST_TEST(passes(mw, "http://b.com/1"));
    BOOST_TEST(stats.values().empty());
}

BOOST_AUTO_TEST_CASE(items_start_requests_and_allow_offsite_pass) {
    StatsCollector stats;
    OffsiteMiddleware mw({"scrapytest.org"}, stats);
    BOOST_TEST(passes(mw, Output(Item{{"url", "http://offsite.tld/"}})));
    Request start("http://offsite.tld/");
    BOOST_TEST(mw.process_start_request(start));
    Request allowed("http://offsite.tld/");
    allowed.meta.set("allow_offsite", true);
    BOOST_TEST(passes(mw, Output(allowed)));
    allowed.meta.set("allow_offsite", false);
    BOOST_TEST(!passes(mw, Output(allowed)));
}

BOOST_AUTO_TEST_CASE(errback_outputs_are_filtered_too) {
    StatsCollector stats;
    OffsiteMiddleware mw({"scrapytest.org"}, stats);
    Output output(Request("http://offsite.tld/"));
    BOOST_TEST(!mw.process_spider_output(output, source(), nullptr));
    BOOST_TEST(stats.get_int("offsite/filtered") == 1);
}

BOOST_AUTO_TEST_CASE(each_drop_is_counted_and_each_new_domain_counted_and_logged_once) {
    StatsCollector stats;
    OffsiteMiddleware mw({"scrapytest.org"}, stats);
    DebugLogCapture log;
    BOOST_TEST(!passes(mw, "http://offsite.tld/a"));
    BOOST_TEST(!passes(mw, "http://offsite.tld/b"));
    BOOST_TEST(!passes(mw, "http://other.tld/"));
    BOOST_TEST(passes(mw, "http://www.scrapytest.org/"));
    BOOST_TEST(stats.get_int("offsite/filtered") == 3);
    BOOST_TEST(stats.get_int("offsite/domains") == 2);
    BOOST_TEST(log.count_exact(interloop::log::Level::debug,
                               "Filtered offsite request to 'offsite.tld': "
                               "<GET http://offsite.tld/a>") == 1u);
    BOOST_TEST(log.count_exact(interloop::log::Level::debug,
                               "Filtered offsite request to 'other.tld': "
                               "<GET http://other.tld/>") == 1u);
    BOOST_TEST(log.lines.size() == 2u);
}

BOOST_AUTO_TEST_CASE(url_and_port_entries_are_ignored_with_a_warning) {
    StatsCollector stats;
    DebugLogCapture log;
    OffsiteMiddleware mw({"http://scrapytest.org", "scrapy.org:8000", "", "scrapy.test.org"},
                         stats);
    BOOST_TEST(mw.domains() == std::vector<std::string>{"scrapy.test.org"});
    BOOST_TEST(log.count_exact(interloop::log::Level::warning,
                               "allowed_domains accepts only domains, not URLs. Ignoring URL "
                               "entry http://scrapytest.org in allowed_domains.") == 1u);
    BOOST_TEST(log.count_exact(interloop::log::Level::warning,
                               "allowed_domains accepts only domains without ports. Ignoring "
                               "entry scrapy.org:8000 in allowed_domains.") == 1u);
    BOOST_TEST(passes(mw, "http://scrapy.test.org/"));
    BOOST_TEST(!passes(mw, "http://scrapytest.org/"));
    BOOST_TEST(!passes(mw, "http://scrapy.org:8000/"));
}

BOOST_AUTO_TEST_CASE(a_list_of_only_ignored_entries_allows_nothing) {
    StatsCollector stats;
    DebugLogCapture log;  // keeps the warnings out of the test output
    OffsiteMiddleware mw({"https://scrapytest.org/"}, stats);
    BOOST_TEST(mw.domains().empty());
    BOOST_TEST(!passes(mw, "http://scrapytest.org/"));
    BOOST_TEST(!passes(mw, "http://a.com/"));
}

BOOST_AUTO_TEST_CASE(domains_compare_ignoring_case) {
    StatsCollector stats;
    OffsiteMiddleware mw({"ScrapyTest.ORG"}, stats);
    BOOST_TEST(passes(mw, "http://www.SCRAPYTEST.org/"));
    BOOST_TEST(mw.allows_host("Sub.ScrapyTest.org"));
    BOOST_TEST(!mw.allows_host("scrapytest.org.evil.net"));
}

BOOST_AUTO_TEST_SUITE_END()
