// Response: following links.

#include "spider/response.hpp"

namespace interloop::spider {

Request Response::follow(std::string_view href) const {
    return Request(urljoin(href));
}

Request Response::follow(std::string_view href, RequestCallback callback) const {
    Request next(urljoin(href));
    next.callback = std::move(callback);
    return next;
}

std::optional<Request> Response::try_follow(std::string_view href, std::string* why) const {
    auto joined = try_urljoin(url, href, why);
    if (!joined) return std::nullopt;
    return Request::try_make(*joined, why);
}

}  // namespace interloop::spider
