// UserAgentMiddleware: the User-Agent header unless the request has one.
#include "spider/middlewares/user_agent.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/spider/middlewares/middleware_testing.hpp"

using namespace interloop::spider;

BOOST_FIXTURE_TEST_SUITE(user_agent_middleware, interloop::spider::testing::QuietLog)

BOOST_AUTO_TEST_CASE(sets_the_configured_user_agent) {
    UserAgentMiddleware mw("default_useragent");
    Request request("http://scrapytest.org/");
    BOOST_TEST(!mw.process_request(request).has_value());
    BOOST_TEST(request.headers.get("User-Agent").value_or("") == "default_useragent");
}

BOOST_AUTO_TEST_CASE(keeps_the_requests_own_user_agent) {
    UserAgentMiddleware mw("default_useragent");
    Request request("http://scrapytest.org/");
    request.headers.set("user-agent", "header_useragent");  // any case counts
    BOOST_TEST(!mw.process_request(request).has_value());
    BOOST_TEST(request.headers.get_all("User-Agent").size() == 1u);
    BOOST_TEST(request.headers.get("User-Agent").value_or("") == "header_useragent");
}

BOOST_AUTO_TEST_CASE(an_empty_user_agent_sets_nothing) {
    UserAgentMiddleware mw("");
    Request request("http://scrapytest.org/");
    BOOST_TEST(!mw.process_request(request).has_value());
    BOOST_TEST(!request.headers.contains("User-Agent"));
}

BOOST_AUTO_TEST_SUITE_END()
