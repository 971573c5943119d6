#pragma once
// beast_get: a coroutine-native HTTP client on Boost.Beast — third-party code of the Asio
// world. Callback code runs it with `as_deferred(executor, beast_get(...))`.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <string>

#include "docs/examples/http_reply.hpp"

namespace interloop::examples {

/// GETs `http://host:port/target` (one request on a new connection) on the calling
/// coroutine's executor and returns the status and body.
///
/// * Errors are Asio's: a `boost::system::system_error` (connection refused, reset, end of
///   stream before a complete response, a malformed response from Beast's parser).
/// * Cancellation (a terminal signal from `as_deferred`'s cancel, or awaitable operators):
///   the pending connect, write or read completes with `operation_aborted`, which is thrown.
///   Name resolution itself is not cancellable in Asio; use numeric hosts where it matters.
/// * Parameters are taken by value: the coroutine frame owns them.
inline boost::asio::awaitable<HttpReply> beast_get(std::string host, std::string port,
                                                   std::string target) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    using boost::asio::use_awaitable;
    using tcp = boost::asio::ip::tcp;

    auto executor = co_await boost::asio::this_coro::executor;
    tcp::resolver resolver(executor);
    const auto endpoints = co_await resolver.async_resolve(host, port, use_awaitable);

    beast::tcp_stream stream(executor);
    co_await stream.async_connect(endpoints, use_awaitable);

    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, host + ":" + port);
    request.set(http::field::user_agent, "interloop-beast-example");
    request.keep_alive(false);
    co_await http::async_write(stream, request, use_awaitable);

    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(stream, buffer, response, use_awaitable);

    boost::system::error_code ignored;  // the server may have closed its side already
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return HttpReply{static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace interloop::examples
