#pragma once
// The quotes site: a deterministic, generated web site shaped like quotes.toscrape.com, with a
// manifest of what a crawler starting at "/" can reach. Tests, the demo and the benchmarks
// crawl it (served by SiteServer, or written to disk with write_site and served by nginx).
//
// Layout of a generated site (every path is absolute and ends with '/' except robots.txt):
//
// * `/`                 home: a link to `/page/1/` and the top ten tags;
// * `/page/N/`          listing pages 1..pages, `quotes_per_page` `<div class="quote">` blocks
//                       each, `<li class="previous">` / `<li class="next">` pagination;
// * `/author/Slug/`     one page per author (`h3.author-title`, birth date and place, bio, a
//                       link to the listing page of the author's first quote and to its
//                       tags); an author without quotes has a page that nothing links to;
// * `/tag/t/`, `/tag/t/page/K/`  the quotes with tag t, `tag_page_size` per page, as
//                       `<li class="quote-ref">` links to the listing page (`/page/N/#q17`) —
//                       not as `div.quote` blocks, so scraping `div.quote` on every page
//                       yields every quote exactly once; their pager and quote links are
//                       relative (`page/2/`, `../../page/5/#q41`);
// * `/robots.txt`       allows everything (not linked from any page).
//
// Every HTML page also carries `broken_links_per_page` links to missing paths (404) and
// `duplicate_links_per_page` links that repeat one of its links, spelled the same way or
// differently (relative, with a `#fragment`, with an empty `?` query): after resolving against
// the page URL, dropping the fragment and an empty query, they are one URL — what a Scrapy-like
// dupefilter sees. With `offsite_link`, the footer links to http://offsite.invalid/ (a reserved
// name that never resolves), which a crawler restricted to the site must not follow.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace interloop::examples {

/// What to generate. The same spec (seed included) gives the same bytes on every run.
struct SiteSpec {
    int pages = 10;                    ///< listing pages `/page/1/` .. `/page/N/` (>= 1)
    int quotes_per_page = 10;          ///< quotes per listing page (>= 1)
    int authors = 50;                  ///< authors to draw from (>= 1)
    int tags = 40;                     ///< tags to draw from (>= 1)
    std::uint64_t seed = 1;            ///< any value; different seeds give different sites
    int broken_links_per_page = 1;     ///< links to missing paths on every HTML page (>= 0)
    int duplicate_links_per_page = 2;  ///< repeated links on every HTML page (>= 0)
    int tag_page_size = 20;            ///< quote references per tag page (>= 1)
    bool offsite_link = true;          ///< a footer link to http://offsite.invalid/
};

/// One resource of the site, served at its path.
struct Page {
    int status = 200;          ///< HTTP status (every generated page is 200)
    std::string content_type;  ///< e.g. "text/html; charset=utf-8"
    std::string body;          ///< the exact bytes to serve
};

/// One quote as a scraper should extract it from its listing page.
struct QuoteRecord {
    int id = 0;                     ///< 1-based; the block's HTML id is "q<id>"
    std::string text;               ///< text of `span.text`, entities decoded, with its “ ”
    std::string author;             ///< text of `small.author`
    std::string author_path;        ///< the "(about)" link, e.g. "/author/Jane-Austen/"
    std::vector<std::string> tags;  ///< texts of the `a.tag` links, in page order
    std::string page;               ///< the one listing page it appears on, e.g. "/page/3/"
};

/// One author, as its author page shows it.
struct AuthorRecord {
    std::string name;           ///< text of `h3.author-title`
    std::string path;           ///< "/author/<slug>/"
    std::string born_date;      ///< text of `span.author-born-date`
    std::string born_location;  ///< text of `span.author-born-location`
    int quotes = 0;             ///< quotes by this author (0: the page is unreachable)
};

/// Counts a crawl of the site can be checked against.
struct ManifestCounts {
    std::size_t pages_in_site = 0;    ///< every path the site serves (robots.txt included)
    std::size_t listing_pages = 0;    ///< `/page/N/`
    std::size_t author_pages = 0;     ///< `/author/Slug/` (reachable or not)
    std::size_t tag_pages = 0;        ///< `/tag/t/` and `/tag/t/page/K/`
    std::size_t reachable_pages = 0;  ///< size of `Manifest::reachable`
    std::size_t not_found = 0;        ///< size of `Manifest::not_found`
    std::size_t quotes = 0;           ///< size of `Manifest::quotes`
    std::size_t links = 0;            ///< `<a href>` on reachable pages, every occurrence
    std::size_t same_site_links = 0;  ///< those that point into the site (200 or 404)
    std::size_t offsite_links = 0;    ///< those that point elsewhere
    /// Requests a dupefilter drops in a crawl that starts at "/" and follows every same-site
    /// link of every 200 page: same_site_links - (reachable_pages - 1) - not_found.
    std::size_t duplicate_links = 0;
    std::size_t reachable_bytes = 0;  ///< sum of body sizes of the reachable pages
};

/// What a crawler following every same-site `<a href>` from "/" finds.
struct Manifest {
    std::vector<std::string> reachable;    ///< 200 paths reachable from "/", sorted
    std::vector<std::string> not_found;    ///< linked paths the site lacks (404), sorted
    std::vector<std::string> unreachable;  ///< paths the site serves but nothing links to
    std::vector<std::string> offsite;      ///< distinct off-site URLs linked, sorted
    std::vector<QuoteRecord> quotes;       ///< every quote, by id
    std::vector<AuthorRecord> authors;     ///< every author, by path
    ManifestCounts counts;
};

/// A generated site: every path it serves, and its manifest.
struct Site {
    SiteSpec spec;
    std::map<std::string, Page, std::less<>> pages;  ///< path (no query) → page
    Manifest manifest;

    /// The page at `path` (a path without query or fragment), or nullptr (a 404).
    const Page* find(std::string_view path) const;
};

/// Generates the site described by `spec`. Throws std::invalid_argument on a spec out of range.
Site generate_site(const SiteSpec& spec);

/// The manifest as JSON, every field of `Manifest` and the spec (the format, with an example,
/// is at the top of site_files.cpp): `{"format": "interloop-quotes-site-manifest/1",
/// "spec": {...}, "counts": {...}, "reachable": [...], "not_found": [...], "unreachable": [...],
/// "offsite": [...], "authors": [{...}], "quotes": [{...}]}`.
std::string manifest_json(const Site& site);

/// Writes every 200 page under `dir` as nginx serves it (`/page/3/` → `dir/page/3/index.html`,
/// `/robots.txt` → `dir/robots.txt`) and the manifest as `dir/manifest.json`. Creates `dir`
/// if needed and overwrites existing files (it does not delete others). nginx then serves the
/// same bytes at the same URLs; it differs from SiteServer only on URLs no page links to
/// (`/manifest.json` exists; `/page/3` is redirected to `/page/3/` instead of a 404). Throws
/// std::filesystem::filesystem_error or std::runtime_error when a file cannot be written.
void write_site(const Site& site, const std::filesystem::path& dir);

/// The href that `to` has when written on the page at `from` as a relative reference (both
/// absolute paths): relative_href("/page/2/", "/page/3/") == "../3/"; "./" for the directory
/// of `from` itself.
std::string relative_href(std::string_view from, std::string_view to);

}  // namespace interloop::examples
