// Spider: the default start requests and parse.

#include "spider/spider.hpp"

#include <stdexcept>

#include "reactor/log.hpp"
#include "spider/crawler.hpp"

namespace interloop::spider {

std::vector<Request> Spider::start_requests() {
    std::vector<Request> requests;
    requests.reserve(start_urls.size());
    for (const std::string& url : start_urls) {
        std::string why;
        if (auto request = Request::try_make(url, &why)) {
            request->dont_filter = true;
            requests.push_back(std::move(*request));
            continue;
        }
        log::emit(log::Level::error, "interloop.spider", "Ignoring start URL '{}': {}", url, why);
        if (crawler_) crawler_->stats().inc_value("start_requests/invalid_url");
    }
    return requests;
}

OutputStream Spider::start() {
    for (Request& request : start_requests()) co_yield std::move(request);
}

Deferred<Response> Spider::fetch(Request request) {
    if (!crawler_)
        return fail<Response>(
            std::logic_error("Spider::fetch: the spider " + name_ + " is not crawling"));
    return crawler_->fetch(std::move(request));
}

Deferred<std::vector<Response>> Spider::fetch_all(std::vector<Request> requests) {
    if (!crawler_)
        return fail<std::vector<Response>>(
            std::logic_error("Spider::fetch_all: the spider " + name_ + " is not crawling"));
    return crawler_->fetch_all(std::move(requests));
}

CallbackResult Spider::parse(const Response& response) {
    throw std::logic_error("Spider " + name_ + " has no parse() for <" + response.url +
                           ">: override Spider::parse or give the request a callback");
}

}  // namespace interloop::spider
