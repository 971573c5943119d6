#pragma once
// UserAgentMiddleware: the User-Agent header of every request (Scrapy's useragent middleware).

#include <string>

#include "spider/middleware.hpp"

namespace interloop::spider {

/// Sets the `User-Agent` header of each request to USER_AGENT, unless the request already has
/// one (the spider's own choice wins). An empty user agent sets nothing.
class UserAgentMiddleware : public DownloaderMiddleware {
public:
    /// `user_agent` is the USER_AGENT setting.
    explicit UserAgentMiddleware(std::string user_agent) : user_agent_(std::move(user_agent)) {}

    std::optional<DownloadResult> process_request(Request& request) override;

    const std::string& user_agent() const noexcept { return user_agent_; }

private:
    std::string user_agent_;
};

}  // namespace interloop::spider
