// Scheduler and request fingerprints: priority order, the duplicate filter, Scrapy's bytes.
#include "spider/scheduler.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace interloop::spider;

namespace {
std::vector<std::string> drain(Scheduler& scheduler) {
    std::vector<std::string> urls;
    while (auto r = scheduler.next()) urls.push_back(r->url());
    return urls;
}

Request with_priority(const char* url, int priority) {
    Request r(url);
    r.priority = priority;
    return r;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(fingerprints)

BOOST_AUTO_TEST_CASE(fingerprints_are_scrapys_bytes) {
    // Expected values: Python's sha1(json.dumps({...}, sort_keys=True)), as Scrapy 2.7+ does.
    BOOST_TEST(to_hex(fingerprint(Request("http://www.example.com/"))) ==
               "28fd680a059847ede1289d72f7a0e1c470f3d8d2");
    Request post("http://www.example.com/form");
    post.method = "POST";
    post.body = "a=1&b=2";
    BOOST_TEST(to_hex(fingerprint(post)) == "cf030380e015d6dacffaa390a493560ecf7dbce4");
}

BOOST_AUTO_TEST_CASE(equivalent_spellings_of_a_url_share_a_fingerprint) {
    auto fp = fingerprint(Request("http://example.com/a?b=2&a=1"));
    BOOST_TEST((fingerprint(Request("http://example.com/a?a=1&b=2")) == fp));
    BOOST_TEST((fingerprint(Request("http://EXAMPLE.com:80/a?b=2&a=1#top")) == fp));
}

BOOST_AUTO_TEST_CASE(method_and_body_change_the_fingerprint) {
    Request get("http://example.com/a");
    Request head = get;
    head.method = "HEAD";
    Request with_body = get;
    with_body.body = "x";
    BOOST_TEST((fingerprint(get) != fingerprint(head)));
    BOOST_TEST((fingerprint(get) != fingerprint(with_body)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scheduler)

BOOST_AUTO_TEST_CASE(higher_priority_requests_leave_first) {
    Scheduler s;
    s.enqueue(with_priority("http://e.com/low", -1));
    s.enqueue(with_priority("http://e.com/high", 5));
    s.enqueue(with_priority("http://e.com/mid", 0));
    BOOST_TEST(drain(s) == (std::vector<std::string>{"http://e.com/high", "http://e.com/mid",
                                                     "http://e.com/low"}));
}

BOOST_AUTO_TEST_CASE(equal_priorities_leave_last_in_first_out_by_default_like_scrapy) {
    Scheduler lifo;
    Scheduler fifo(QueueOrder::fifo);
    for (const char* url : {"http://e.com/1", "http://e.com/2", "http://e.com/3"}) {
        lifo.enqueue(Request(url));
        fifo.enqueue(Request(url));
    }
    BOOST_TEST(drain(lifo) ==
               (std::vector<std::string>{"http://e.com/3", "http://e.com/2", "http://e.com/1"}));
    BOOST_TEST(drain(fifo) ==
               (std::vector<std::string>{"http://e.com/1", "http://e.com/2", "http://e.com/3"}));
}

BOOST_AUTO_TEST_CASE(duplicates_are_dropped_and_counted_even_after_the_first_was_dequeued) {
    Scheduler s;
    BOOST_TEST(s.enqueue(Request("http://e.com/a")));
    BOOST_TEST(!s.enqueue(Request("http://e.com/a#again")));
    (void)s.next();
    BOOST_TEST(!s.enqueue(Request("http://e.com/a")));
    BOOST_TEST(s.empty());
    BOOST_TEST(s.stats().enqueued == 1u);
    BOOST_TEST(s.stats().dequeued == 1u);
    BOOST_TEST(s.stats().filtered == 2u);
}

BOOST_AUTO_TEST_CASE(dont_filter_requests_bypass_the_duplicate_filter) {
    Scheduler s;
    s.enqueue(Request("http://e.com/a"));
    Request again("http://e.com/a");
    again.dont_filter = true;
    BOOST_TEST(s.enqueue(again));
    BOOST_TEST(s.size() == 2u);
    BOOST_TEST(s.stats().filtered == 0u);
}

BOOST_AUTO_TEST_CASE(an_empty_scheduler_gives_nothing) {
    Scheduler s;
    BOOST_TEST(!s.next().has_value());
    BOOST_TEST(s.empty());
}

BOOST_AUTO_TEST_SUITE_END()
