// Response: following links.

#include "spider/response.hpp"

#include <strings.h>

namespace interloop::spider {
namespace {

/// The charset parameter of a Content-Type value ("text/html; charset=UTF-8" → "UTF-8").
std::string_view charset_of(std::string_view content_type) {
    for (std::size_t at = content_type.find(';'); at != std::string_view::npos;
         at = content_type.find(';', at + 1)) {
        std::string_view param = content_type.substr(at + 1);
        while (!param.empty() && param.front() == ' ') param.remove_prefix(1);
        if (param.size() < 8 || strncasecmp(param.data(), "charset=", 8) != 0) continue;
        param.remove_prefix(8);
        param = param.substr(0, param.find(';'));
        while (!param.empty() && param.back() == ' ') param.remove_suffix(1);
        if (param.size() >= 2 && param.front() == '"' && param.back() == '"')
            param = param.substr(1, param.size() - 2);
        return param;
    }
    return {};
}

}  // namespace

const Selector& Response::selector() const {
    if (!selector_) {
        std::string_view encoding = charset_of(headers.get("Content-Type").value_or(""));
        selector_ = std::make_shared<const Selector>(Selector::from_html(body, url, encoding));
    }
    return *selector_;
}

std::optional<Request> Response::follow_plain(std::string_view href) const {
    // Most links on a page are plain paths: join them without parsing (a string copy instead
    // of three URL parses). Only against the request's URL, whose parts are known.
    if (url != request.url()) return std::nullopt;
    auto joined = request.http_url().join_plain_reference(href);
    if (!joined) return std::nullopt;
    return Request(std::move(*joined));
}

Request Response::follow(std::string_view href) const {
    if (auto plain = follow_plain(href)) return std::move(*plain);
    return Request(urljoin(href));
}

Request Response::follow(std::string_view href, RequestCallback callback) const {
    Request next = follow(href);
    next.callback = std::move(callback);
    return next;
}

std::optional<Request> Response::try_follow(std::string_view href, std::string* why) const {
    if (auto plain = follow_plain(href)) return plain;
    auto joined = try_urljoin(url, href, why);
    if (!joined) return std::nullopt;
    return Request::try_make(*joined, why);
}

}  // namespace interloop::spider
