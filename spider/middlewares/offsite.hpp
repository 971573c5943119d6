#pragma once
// OffsiteMiddleware: requests to hosts outside the spider's allowed domains are dropped
// (Scrapy's offsite middleware).

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "spider/middleware.hpp"
#include "spider/stats.hpp"

namespace interloop::spider {

/// Drops requests output by callbacks (and errbacks) whose host is neither one of
/// `allowed_domains` nor a subdomain of one: with "example.com", `example.com` and
/// `www.example.com` pass, `badexample.com` and `example.com.evil.net` do not. Start requests
/// and items pass untouched, and so do requests with `dont_filter` set or with meta
/// "allow_offsite" (bool) true.
///
/// An empty list allows every host. Entries are domains: an entry that is a URL
/// (`http://...`, `https://...`) or has a port (`example.com:8080`) is ignored, with a
/// warning logged at construction, as Scrapy does; a list whose every entry is ignored allows
/// nothing (Scrapy's behaviour too). Domains compare ignoring ASCII case.
///
/// Stats: `offsite/filtered` for each dropped request; `offsite/domains` once per host
/// dropped, the first time, with the debug log line "Filtered offsite request to 'host':
/// <GET url>".
class OffsiteMiddleware : public SpiderMiddleware {
public:
    /// `allowed_domains` is the spider's `allowed_domains`.
    OffsiteMiddleware(std::vector<std::string> allowed_domains, StatsCollector& stats);

    /// False (the request is dropped) for a request to a host not allowed.
    bool process_spider_output(Output& output, const Request& source,
                               const Response* response) override;

    /// True if `host` is an allowed domain or a subdomain of one (or if any host is allowed).
    bool allows_host(std::string_view host) const;
    /// The entries in use: lower-cased, without the ignored ones.
    const std::vector<std::string>& domains() const noexcept { return domains_; }

private:
    StatsCollector& stats_;
    bool allow_all_;
    std::vector<std::string> domains_;
    std::set<std::string, std::less<>> domains_seen_;
};

}  // namespace interloop::spider
