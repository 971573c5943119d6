// The quotes site generator: authors, tags and quotes from a seeded generator, then every page
// built with its links recorded, then the manifest by a breadth-first walk from "/".

#include "docs/examples/quotes_site/site.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "docs/examples/quotes_site/site_builder.hpp"

namespace interloop::examples {

const Page* Site::find(std::string_view path) const {
    auto it = pages.find(path);
    return it == pages.end() ? nullptr : &it->second;
}

std::string relative_href(std::string_view from, std::string_view to) {
    // Directory segments of `from` ("/a/b/c" → a, b) and of `to`, plus `to`'s last segment.
    auto split_dirs = [](std::string_view path, std::vector<std::string_view>& dirs) {
        std::size_t start = 1;  // after the leading '/'
        for (std::size_t slash; (slash = path.find('/', start)) != std::string_view::npos;
             start = slash + 1)
            dirs.push_back(path.substr(start, slash - start));
        return path.substr(std::min(start, path.size()));
    };
    std::vector<std::string_view> from_dirs, to_dirs;
    split_dirs(from, from_dirs);
    std::string_view to_file = split_dirs(to, to_dirs);
    std::size_t common = 0;
    while (common < from_dirs.size() && common < to_dirs.size() &&
           from_dirs[common] == to_dirs[common])
        ++common;
    std::string href;
    for (std::size_t i = common; i < from_dirs.size(); ++i) href += "../";
    for (std::size_t i = common; i < to_dirs.size(); ++i) {
        href += to_dirs[i];
        href += '/';
    }
    href += to_file;
    return href.empty() ? std::string("./") : href;
}

namespace {

using detail::PageBuilder;
using detail::SiteModel;

void check_spec(const SiteSpec& spec) {
    auto require = [](bool ok, const char* what) {
        if (!ok) throw std::invalid_argument(fmt::format("SiteSpec: {}", what));
    };
    require(spec.pages >= 1, "pages must be >= 1");
    require(spec.quotes_per_page >= 1, "quotes_per_page must be >= 1");
    require(spec.authors >= 1, "authors must be >= 1");
    require(spec.tags >= 1, "tags must be >= 1");
    require(spec.tag_page_size >= 1, "tag_page_size must be >= 1");
    require(spec.broken_links_per_page >= 0, "broken_links_per_page must be >= 0");
    require(spec.duplicate_links_per_page >= 0, "duplicate_links_per_page must be >= 0");
    require(static_cast<long long>(spec.pages) * spec.quotes_per_page <= 100'000'000,
            "pages * quotes_per_page must be <= 100,000,000");
}

/// Walks the links from "/" and fills `site.manifest` (everything but quotes and authors).
void fill_manifest(Site& site, const std::unordered_map<std::string, PageBuilder::Links>& links) {
    Manifest& m = site.manifest;
    std::unordered_set<std::string_view> seen{"/"};
    std::set<std::string> not_found, offsite;
    std::deque<std::string_view> queue{"/"};
    while (!queue.empty()) {
        std::string_view path = queue.front();
        queue.pop_front();
        const Page* page = site.find(path);
        if (page == nullptr) {
            not_found.emplace(path);
            continue;
        }
        m.reachable.emplace_back(path);
        m.counts.reachable_bytes += page->body.size();
        auto it = links.find(std::string(path));
        if (it == links.end()) continue;  // not HTML
        const PageBuilder::Links& page_links = it->second;
        m.counts.links += page_links.same_site.size() + page_links.offsite.size();
        m.counts.same_site_links += page_links.same_site.size();
        m.counts.offsite_links += page_links.offsite.size();
        offsite.insert(page_links.offsite.begin(), page_links.offsite.end());
        for (const std::string& target : page_links.same_site)
            if (seen.insert(target).second) queue.push_back(target);
    }
    std::sort(m.reachable.begin(), m.reachable.end());
    m.not_found.assign(not_found.begin(), not_found.end());
    m.offsite.assign(offsite.begin(), offsite.end());
    ManifestCounts& c = m.counts;
    for (const auto& [path, page] : site.pages) {
        if (!std::binary_search(m.reachable.begin(), m.reachable.end(), path))
            m.unreachable.push_back(path);
        const std::string_view p = path;
        c.listing_pages += p.starts_with("/page/");
        c.author_pages += p.starts_with("/author/");
        c.tag_pages += p.starts_with("/tag/");
    }
    c.pages_in_site = site.pages.size();
    c.reachable_pages = m.reachable.size();
    c.not_found = m.not_found.size();
    c.quotes = m.quotes.size();
    c.duplicate_links = c.same_site_links - (c.reachable_pages - 1) - c.not_found;
}

}  // namespace

Site generate_site(const SiteSpec& spec) {
    check_spec(spec);
    SiteModel model(spec);
    Site site;
    site.spec = spec;
    std::unordered_map<std::string, PageBuilder::Links> links;
    links.reserve(model.page_count());

    model.build_pages([&](PageBuilder::Result&& page) {
        links.emplace(page.path, std::move(page.links));
        site.pages.emplace(std::move(page.path),
                           Page{200, "text/html; charset=utf-8", std::move(page.body)});
    });
    site.pages.emplace("/robots.txt",
                       Page{200, "text/plain; charset=utf-8", "User-agent: *\nAllow: /\n"});

    for (std::string_view broken : model.broken_paths())
        if (site.find(broken) != nullptr)
            throw std::logic_error(fmt::format("quotes site: broken link {} exists", broken));

    site.manifest.quotes = model.quote_records();
    site.manifest.authors = model.author_records();
    fill_manifest(site, links);
    return site;
}

}  // namespace interloop::examples
