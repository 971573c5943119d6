// OffsiteMiddleware.

#include "spider/middlewares/offsite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "reactor/log.hpp"

namespace interloop::spider {
namespace {

constexpr std::string_view logger = "interloop.spidermiddlewares.offsite";

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Scrapy's test: the entry starts with "http://" or "https://" (case-sensitive, as there).
bool is_url(std::string_view entry) {
    return entry.starts_with("http://") || entry.starts_with("https://");
}

// Scrapy's test: the entry ends with ':' and one or more digits.
bool has_port(std::string_view entry) {
    const auto colon = entry.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == entry.size()) return false;
    const auto digits = entry.substr(colon + 1);
    return std::all_of(digits.begin(), digits.end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

OffsiteMiddleware::OffsiteMiddleware(std::vector<std::string> allowed_domains,
                                     StatsCollector& stats)
    : stats_(stats), allow_all_(allowed_domains.empty()) {
    for (const auto& entry : allowed_domains) {
        if (entry.empty()) continue;  // Scrapy skips None entries; an empty one matches nothing
        if (is_url(entry)) {
            log::emit(log::Level::warning, logger,
                      "allowed_domains accepts only domains, not URLs. Ignoring URL entry {} in "
                      "allowed_domains.",
                      entry);
        } else if (has_port(entry)) {
            log::emit(log::Level::warning, logger,
                      "allowed_domains accepts only domains without ports. Ignoring entry {} in "
                      "allowed_domains.",
                      entry);
        } else {
            domains_.push_back(lower(entry));
        }
    }
}

bool OffsiteMiddleware::allows_host(std::string_view host) const {
    if (allow_all_) return true;
    const std::string name = lower(host);
    for (const auto& domain : domains_) {
        if (name == domain) return true;
        // A subdomain: the host ends with "." + domain. Matching on the dot keeps
        // "notexample.com" out of "example.com".
        if (name.size() > domain.size() && name.ends_with(domain) &&
            name[name.size() - domain.size() - 1] == '.')
            return true;
    }
    return false;
}

bool OffsiteMiddleware::process_spider_output(Output& output, const Request& /*source*/,
                                              const Response* /*response*/) {
    const auto* request = std::get_if<Request>(&output);
    if (request == nullptr || request->dont_filter ||
        request->meta.value_or("allow_offsite", false) || allows_host(request->host()))
        return true;
    const std::string_view host = request->host();
    if (domains_seen_.find(host) == domains_seen_.end()) {
        domains_seen_.emplace(host);
        log::emit(log::Level::debug, logger, "Filtered offsite request to '{}': <{} {}>", host,
                  request->method, request->url());
        stats_.inc_value("offsite/domains");
    }
    stats_.inc_value("offsite/filtered");
    return false;
}

}  // namespace interloop::spider
