// SiteServer (docs/examples/quotes_site/site_server.hpp) against Boost.Beast clients on
// 127.0.0.1: pages and 404s, hit counters, keep-alive, concurrent connections, delay, gzip,
// stop with idle connections, a given port. Each test starts and stops its own server.

#include <zlib.h>

#include <barrier>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "docs/examples/quotes_site/site.hpp"
#include "docs/examples/quotes_site/site_server.hpp"

using namespace interloop::examples;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using Reply = http::response<http::string_body>;

namespace {

/// A blocking HTTP/1.1 client on one keep-alive connection to 127.0.0.1:`port`.
class Client {
public:
    explicit Client(unsigned short port) : stream_(io_) {
        stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }

    /// Sends one request and reads its reply.
    Reply send(http::verb verb, std::string_view target, std::string_view accept_encoding = {}) {
        http::request<http::empty_body> request(verb, target, 11);
        request.set(http::field::host, "127.0.0.1");
        if (!accept_encoding.empty()) request.set(http::field::accept_encoding, accept_encoding);
        request.keep_alive(true);
        http::write(stream_, request);
        http::response_parser<http::string_body> parser;
        parser.skip(verb == http::verb::head);  // a reply to HEAD has no body
        http::read(stream_, buffer_, parser);
        return parser.release();
    }
    /// GET `target`.
    Reply get(std::string_view target, std::string_view accept_encoding = {}) {
        return send(http::verb::get, target, accept_encoding);
    }
    /// Whether the server has closed the connection (reads until end of stream or error).
    bool closed_by_server() {
        char byte;
        boost::system::error_code error;
        stream_.socket().read_some(asio::buffer(&byte, 1), error);
        return static_cast<bool>(error);
    }

private:
    asio::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

/// `data` gunzipped.
std::string gunzip(const std::string& data) {
    z_stream zs{};
    BOOST_TEST_REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    BOOST_TEST(rc == Z_STREAM_END);
    return out;
}

const Site& small_site() {
    static const Site site = generate_site(SiteSpec{});
    return site;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(site_server)

BOOST_AUTO_TEST_CASE(serves_pages_and_404s_and_counts_hits) {
    const Site& site = small_site();
    SiteServer server(site);
    server.start();
    BOOST_TEST(server.port() != 0);
    BOOST_TEST(server.url("/page/1/") ==
               "http://127.0.0.1:" + std::to_string(server.port()) + "/page/1/");
    {
        Client client(server.port());
        const Reply page = client.get("/page/1/");
        BOOST_TEST(page.result_int() == 200u);
        BOOST_TEST(page.body() == site.find("/page/1/")->body);
        BOOST_TEST(page[http::field::content_type] == "text/html; charset=utf-8");

        const std::string missing = site.manifest.not_found.front();
        const Reply not_found = client.get(missing);
        BOOST_TEST(not_found.result_int() == 404u);
        BOOST_TEST(not_found.body().find("href") == std::string::npos);

        // The query is ignored, as nginx ignores it for static files.
        BOOST_TEST(client.get("/page/1/?").result_int() == 200u);
        BOOST_TEST(client.get("/page/1/?utm=x").body() == site.find("/page/1/")->body);

        const Reply head = client.send(http::verb::head, "/");
        BOOST_TEST(head.result_int() == 200u);
        BOOST_TEST(head[http::field::content_length] ==
                   std::to_string(site.find("/")->body.size()));
        BOOST_TEST(client.send(http::verb::post, "/").result_int() == 405u);

        BOOST_TEST(client.get("/robots.txt")[http::field::content_type] ==
                   "text/plain; charset=utf-8");

        BOOST_TEST(server.hits("/page/1/") == 3u);
        BOOST_TEST(server.hits(missing) == 1u);
        BOOST_TEST(server.hits("/") == 2u);
        BOOST_TEST(server.hits("/page/2/") == 0u);
        BOOST_TEST(server.requests() == 7u);
        BOOST_TEST(server.all_hits().size() == 4u);
    }
    server.stop();
    BOOST_TEST(server.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(keep_alive_requests_share_one_connection) {
    SiteServer server(small_site());
    server.start();
    {
        Client client(server.port());
        BOOST_TEST(client.get("/page/1/").result_int() == 200u);
        BOOST_TEST(client.get("/page/2/").result_int() == 200u);
        BOOST_TEST(server.connections() == 1u);
        BOOST_TEST(server.open_connections() == 1u);
        BOOST_TEST(server.max_concurrent_connections() == 1u);
        BOOST_TEST(server.requests() == 2u);
    }
    server.stop();
    BOOST_TEST(server.connections() == 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_connections_are_counted) {
    const Site& site = small_site();
    SiteServer server(site);
    server.start();
    constexpr int clients = 5;
    std::barrier all_served(clients);
    std::vector<std::thread> threads;
    std::vector<int> statuses(clients, 0);
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            Client client(server.port());
            statuses[static_cast<std::size_t>(i)] =
                static_cast<int>(client.get("/page/" + std::to_string(i + 1) + "/").result_int());
            // Every client holds its connection until all have been served: the server has
            // then had `clients` connections open at once.
            all_served.arrive_and_wait();
        });
    }
    for (std::thread& t : threads) t.join();
    BOOST_TEST(statuses == std::vector<int>(clients, 200), boost::test_tools::per_element());
    BOOST_TEST(server.max_concurrent_connections() == static_cast<std::uint64_t>(clients));
    BOOST_TEST(server.connections() == static_cast<std::uint64_t>(clients));
    for (int i = 1; i <= clients; ++i)
        BOOST_TEST(server.hits("/page/" + std::to_string(i) + "/") == 1u);
    server.stop();
}

BOOST_AUTO_TEST_CASE(delay_holds_each_reply) {
    SiteServer server(small_site(), SiteServerOptions{.delay = std::chrono::milliseconds(40)});
    server.start();
    Client client(server.port());
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(client.get("/").result_int() == 200u);
    BOOST_TEST(client.get("/page/1/").result_int() == 200u);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    BOOST_TEST(elapsed.count() >= 80);
    server.stop();
}

BOOST_AUTO_TEST_CASE(gzip_when_the_client_accepts_it) {
    const Site& site = small_site();
    SiteServer server(site, SiteServerOptions{.gzip = true});
    server.start();
    Client client(server.port());
    const std::string& body = site.find("/page/3/")->body;

    const Reply zipped = client.get("/page/3/", "gzip, deflate");
    BOOST_TEST(zipped[http::field::content_encoding] == "gzip");
    BOOST_TEST(zipped[http::field::vary] == "Accept-Encoding");
    BOOST_TEST(zipped.body().size() < body.size());
    BOOST_TEST(gunzip(zipped.body()) == body);
    BOOST_TEST(client.get("/page/3/", "br;q=1.0, gzip;q=0.5").body() == zipped.body());

    const Reply plain = client.get("/page/3/");
    BOOST_TEST(plain[http::field::content_encoding].empty());
    BOOST_TEST(plain.body() == body);
    BOOST_TEST(client.get("/page/3/", "gzip;q=0").body() == body);
    BOOST_TEST(client.get("/page/3/", "identity").body() == body);
    server.stop();

    // Without the option, never.
    SiteServer no_gzip(site);
    no_gzip.start();
    Client other(no_gzip.port());
    BOOST_TEST(other.get("/page/3/", "gzip").body() == body);
    no_gzip.stop();
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_and_delayed_connections) {
    SiteServer server(small_site(), SiteServerOptions{.delay = std::chrono::hours(1)});
    server.start();
    Client idle(server.port());
    Client waiting(server.port());
    // Nothing has been sent on `idle`; a request on `waiting` sits in its hour-long delay.
    std::thread sender([&] {
        try {
            waiting.get("/");
        } catch (const boost::system::system_error&) {  // the server closed it: expected
        }
    });
    while (server.requests() == 0) std::this_thread::yield();  // the request has arrived
    server.stop();                                             // returns without waiting an hour
    sender.join();
    BOOST_TEST(idle.closed_by_server());
    BOOST_TEST(server.open_connections() == 0u);
    BOOST_TEST(server.max_concurrent_connections() == 2u);
}

BOOST_AUTO_TEST_CASE(serves_on_a_given_port) {
    unsigned short port = 0;
    {
        SiteServer first(small_site());
        first.start();
        port = first.port();
        first.stop();
    }
    SiteServer server(small_site(), SiteServerOptions{.port = port});
    server.start();
    BOOST_TEST(server.port() == port);
    BOOST_TEST(Client(port).get("/").result_int() == 200u);
    server.stop();
    server.stop();  // idempotent
    BOOST_CHECK_THROW(server.start(), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
