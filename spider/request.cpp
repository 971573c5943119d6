// Request: construction from unchecked URLs.

#include "spider/request.hpp"

namespace interloop::spider {

std::optional<Request> Request::try_make(std::string_view url, std::string* why) {
    auto parsed = HttpUrl::try_parse(url, why);
    if (!parsed) return std::nullopt;
    return Request(std::move(*parsed));
}

}  // namespace interloop::spider
