#pragma once
// HttpReply: what the example HTTP clients (evhttp_client.hpp, beast_client.hpp) return.

#include <string>

namespace interloop::examples {

/// An HTTP response reduced to what the examples look at. Any status is a reply (a 404 is a
/// value, not an error); only a request that got no complete response is an error.
struct HttpReply {
    int status = 0;
    std::string body;
};

}  // namespace interloop::examples
