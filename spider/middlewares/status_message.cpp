// Twisted's status table, as Scrapy's retry stats spell it.

#include "spider/middlewares/status_message.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace interloop::spider {
namespace {

// Sorted by code, for a binary search. Statuses added to HTTP after Twisted's table (429,
// 451, Cloudflare's 52x, ...) are deliberately absent: Scrapy reports them as "Unknown
// Status", and stats keys must match Scrapy's.
constexpr std::pair<int, std::string_view> phrases[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content."},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Time-out"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Requested Range not satisfiable"},
    {417, "Expectation Failed"},
    {418, "I'm a teapot"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Time-out"},
    {505, "HTTP Version not supported"},
    {507, "Insufficient Storage Space"},
    {510, "Not Extended"},
};

}  // namespace

std::string_view status_reason_phrase(int status) noexcept {
    const auto* end = std::end(phrases);
    const auto* it =
        std::lower_bound(std::begin(phrases), end, status,
                         [](const auto& entry, int code) { return entry.first < code; });
    return it != end && it->first == status ? it->second : "Unknown Status";
}

std::string status_message(int status) {
    return fmt::format("{} {}", status, status_reason_phrase(status));
}

}  // namespace interloop::spider
