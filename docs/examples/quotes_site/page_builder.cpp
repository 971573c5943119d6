// PageBuilder: one HTML page of the quotes site, with a record of every link it contains.

#include <fmt/format.h>

#include <iterator>

#include "docs/examples/quotes_site/site_builder.hpp"

namespace interloop::examples::detail {

namespace {

constexpr std::string_view offsite_url = "http://offsite.invalid/quotes";

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
}

PageBuilder::PageBuilder(std::string path) : path_(std::move(path)) {
    body_.reserve(4096);
    raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"UTF-8\">"
        "<title>Quotes to Scrape</title></head>\n<body>\n<div class=\"header-box\"><h1>");
    link("/", "Quotes to Scrape");
    raw("</h1></div>\n");
}

void PageBuilder::link_as(std::string_view target, std::string_view href, std::string_view label,
                          std::string_view attrs) {
    body_ += "<a";
    body_ += attrs;
    body_ += " href=\"";
    append_escaped(body_, href);
    body_ += "\">";
    append_escaped(body_, label);
    body_ += "</a>";
    links_.same_site.emplace_back(target);
    hrefs_.emplace_back(href);
}

void PageBuilder::see_also(Rng& rng, const std::vector<std::string>& broken, int duplicates) {
    if (broken.empty() && duplicates == 0) return;
    raw("<div class=\"see-also\">See also:");
    for (const std::string& path : broken) {
        raw(" ");
        link(path, "older quotes");
    }
    const std::size_t originals = links_.same_site.size();
    for (int i = 0; i < duplicates; ++i) {
        const std::size_t pick = rng.below(originals);
        const std::string target = links_.same_site[pick];
        const std::size_t kind = rng.below(5);
        const std::string href = kind == 0   ? hrefs_[pick]                  // the same spelling
                                 : kind == 1 ? relative_href(path_, target)  // relative
                                 : kind == 2 ? target + "#see-also"          // a fragment
                                 : kind == 3 ? target + "?"                  // an empty query
                                             : relative_href(path_, target) + "?#more";  // both
        raw(" ");
        link_as(target, href, "more");
    }
    raw("</div>\n");
}

PageBuilder::Result PageBuilder::finish(bool offsite) && {
    raw("<footer class=\"footer\">Quotes by ");
    if (offsite) {
        fmt::format_to(std::back_inserter(body_), "<a href=\"{}\">offsite.invalid</a>",
                       offsite_url);
        links_.offsite.emplace_back(offsite_url);
    } else {
        raw("interloop");
    }
    raw("</footer>\n</body>\n</html>\n");
    return Result{std::move(path_), std::move(links_), std::move(body_)};
}

}  // namespace interloop::examples::detail
