// UserAgentMiddleware.

#include "spider/middlewares/user_agent.hpp"

namespace interloop::spider {

std::optional<DownloadResult> UserAgentMiddleware::process_request(Request& request) {
    // Header names compare case-insensitively, so a spider's "user-agent" counts as set.
    if (!user_agent_.empty() && !request.headers.contains("User-Agent"))
        request.headers.set("User-Agent", user_agent_);
    return std::nullopt;
}

}  // namespace interloop::spider
