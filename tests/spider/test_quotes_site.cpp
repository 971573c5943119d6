// The quotes site generator (docs/examples/quotes_site/site.hpp): determinism, and a manifest
// that agrees with what an independent crawler (links resolved by Boost.URL, canonicalized as
// a Scrapy dupefilter does) and an independent scraper find in the generated pages.

#include <unistd.h>
#include <boost/json/src.hpp>  // header-only Boost.JSON, to check manifest.json parses
#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "docs/examples/quotes_site/site.hpp"

using namespace interloop::examples;

namespace {

/// `text` with the five entities the generator writes decoded.
std::string decode(std::string_view text) {
    static const std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        bool decoded = false;
        for (auto [entity, c] : entities) {
            if (text.substr(i).starts_with(entity)) {
                out += c;
                i += entity.size();
                decoded = true;
                break;
            }
        }
        if (!decoded) out += text[i++];
    }
    return out;
}

/// The text between `open` (searched from `from`) and the next `close`; npos-safe.
std::string_view between(std::string_view html, std::string_view open, std::string_view close,
                         std::size_t from = 0) {
    const std::size_t start = html.find(open, from);
    if (start == std::string_view::npos) return {};
    const std::size_t begin = start + open.size();
    return html.substr(begin, html.find(close, begin) - begin);
}

/// Every `href="..."` value of `html`, entities decoded.
std::vector<std::string> hrefs(std::string_view html) {
    std::vector<std::string> out;
    for (std::size_t at = 0; (at = html.find("href=\"", at)) != std::string_view::npos;) {
        at += 6;
        out.push_back(decode(html.substr(at, html.find('"', at) - at)));
    }
    return out;
}

constexpr std::string_view origin = "http://127.0.0.1:8080";

/// What a crawler makes of `href` on the page at `page`: the canonical same-site path
/// (resolved, fragment and empty query dropped) or, off-site, the URL prefixed with "offsite ".
std::string canonical(std::string_view page, std::string_view href) {
    const boost::urls::url base(std::string(origin) + std::string(page));
    auto ref = boost::urls::parse_uri_reference(href);
    BOOST_TEST_REQUIRE(ref.has_value(), "unparsable href " << href << " on " << page);
    boost::urls::url out;
    BOOST_TEST_REQUIRE(boost::urls::resolve(base, *ref, out).has_value());
    out.remove_fragment();
    if (out.has_query() && out.encoded_query().empty()) out.remove_query();
    if (out.scheme() != "http" || out.host() != "127.0.0.1" || out.port() != "8080")
        return "offsite " + std::string(out.buffer());
    return std::string(out.encoded_resource());
}

/// What an independent breadth-first crawl from "/" of `site` finds.
struct Crawl {
    std::set<std::string> reachable, not_found, offsite;
    std::size_t links = 0, same_site_links = 0, relative = 0, fragments = 0, empty_queries = 0;
};

Crawl crawl(const Site& site) {
    Crawl c;
    std::set<std::string> seen{"/"};
    std::deque<std::string> queue{"/"};
    while (!queue.empty()) {
        const std::string path = queue.front();
        queue.pop_front();
        const Page* page = site.find(path);
        if (page == nullptr) {
            c.not_found.insert(path);
            continue;
        }
        BOOST_TEST(page->status == 200);
        c.reachable.insert(path);
        for (const std::string& href : hrefs(page->body)) {
            ++c.links;
            c.relative += href[0] != '/' && !href.starts_with("http:");
            c.fragments += href.find('#') != std::string::npos;
            c.empty_queries += href.ends_with('?') || href.find("?#") != std::string::npos;
            std::string target = canonical(path, href);
            if (target.starts_with("offsite ")) {
                c.offsite.insert(target.substr(8));
                continue;
            }
            ++c.same_site_links;
            if (seen.insert(target).second) queue.push_back(std::move(target));
        }
    }
    return c;
}

/// The spec of the variant sites: every knob away from its default.
SiteSpec odd_spec() {
    SiteSpec spec;
    spec.pages = 57;
    spec.quotes_per_page = 7;
    spec.authors = 700;  // more than there are quotes: many author pages nobody links
    spec.tags = 75;
    spec.seed = 0xdeadbeef;
    spec.broken_links_per_page = 3;
    spec.duplicate_links_per_page = 5;
    spec.tag_page_size = 4;
    spec.offsite_link = false;
    return spec;
}

/// FNV-1a over every path and body, and the manifest.
std::uint64_t fingerprint(const Site& site) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&](std::string_view bytes) {
        for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
    };
    for (const auto& [path, page] : site.pages) {
        mix(path);
        mix(page.body);
    }
    mix(manifest_json(site));
    return h;
}

void check_manifest_against_crawl(const Site& site) {
    const Manifest& m = site.manifest;
    const Crawl c = crawl(site);
    BOOST_TEST(std::vector<std::string>(c.reachable.begin(), c.reachable.end()) == m.reachable,
               boost::test_tools::per_element());
    BOOST_TEST(std::vector<std::string>(c.not_found.begin(), c.not_found.end()) == m.not_found,
               boost::test_tools::per_element());
    BOOST_TEST(std::vector<std::string>(c.offsite.begin(), c.offsite.end()) == m.offsite,
               boost::test_tools::per_element());
    BOOST_TEST(c.links == m.counts.links);
    BOOST_TEST(c.same_site_links == m.counts.same_site_links);
    BOOST_TEST(c.links - c.same_site_links == m.counts.offsite_links);
    BOOST_TEST(m.counts.duplicate_links ==
               c.same_site_links - (c.reachable.size() - 1) - c.not_found.size());
    // The duplicate spellings a dupefilter must see through are all there.
    BOOST_TEST(c.relative > 0u);
    BOOST_TEST(c.fragments > 0u);
    BOOST_TEST(c.empty_queries > 0u);
    // Every 404 is really missing; every unreachable page is served but never linked.
    for (const std::string& path : m.not_found) BOOST_TEST(site.find(path) == nullptr);
    for (const std::string& path : m.unreachable) {
        BOOST_TEST(site.find(path) != nullptr);
        BOOST_TEST(!c.reachable.contains(path));
    }
    BOOST_TEST(m.reachable.size() + m.unreachable.size() == site.pages.size());
}

/// Scrapes every `div.quote` of every page and checks it against the manifest.
void check_quotes(const Site& site) {
    const Manifest& m = site.manifest;
    std::map<int, std::string> found_on;  // quote id → page
    for (const auto& [path, page] : site.pages) {
        std::string_view html = page.body;
        for (std::size_t at = 0; (at = html.find("<div class=\"quote\"", at)) != html.npos;) {
            const std::string_view block = between(html, ">", "</div></div>", at);
            const int id = std::stoi(std::string(between(html, "id=\"q", "\"", at)));
            at += block.size();
            BOOST_TEST_REQUIRE(id >= 1);
            BOOST_TEST_REQUIRE(static_cast<std::size_t>(id) <= m.quotes.size());
            BOOST_TEST(found_on.emplace(id, path).second, "quote " << id << " twice");
            const QuoteRecord& q = m.quotes[static_cast<std::size_t>(id - 1)];
            BOOST_TEST(q.id == id);
            BOOST_TEST(decode(between(block, "<span class=\"text\">", "</span>")) == q.text);
            BOOST_TEST(decode(between(block, "<small class=\"author\">", "</small>")) == q.author);
            BOOST_TEST(canonical(path, hrefs(between(block, "</small>", "</span>")).at(0)) ==
                       q.author_path);
            std::vector<std::string> tags;
            const std::string_view tag_div = between(block, "<div class=\"tags\">", "</div>");
            for (std::size_t t = 0; (t = tag_div.find("class=\"tag\"", t)) != tag_div.npos;)
                tags.push_back(decode(between(tag_div, "\">", "</a>", t++)));
            BOOST_TEST(tags == q.tags, boost::test_tools::per_element());
        }
    }
    BOOST_TEST(found_on.size() == m.quotes.size());
    for (const QuoteRecord& q : m.quotes) {
        BOOST_TEST(found_on[q.id] == q.page);
        BOOST_TEST(q.page.starts_with("/page/"));
        BOOST_TEST(std::binary_search(m.reachable.begin(), m.reachable.end(), q.page));
        BOOST_TEST(std::binary_search(m.reachable.begin(), m.reachable.end(), q.author_path));
        for (const std::string& tag : q.tags)
            BOOST_TEST(
                std::binary_search(m.reachable.begin(), m.reachable.end(), "/tag/" + tag + "/"));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(quotes_site)

BOOST_AUTO_TEST_CASE(same_seed_gives_the_same_bytes) {
    const Site a = generate_site(SiteSpec{});
    const Site b = generate_site(SiteSpec{});
    BOOST_TEST(fingerprint(a) == fingerprint(b));
    BOOST_TEST(manifest_json(a) == manifest_json(b));
    // The same bytes on every run and in every build (debug, sanitized, release): the
    // generator uses only integer arithmetic on its own random source. Change this value
    // only when changing the generated site on purpose.
    BOOST_TEST(fingerprint(a) == 0x99a2ff415864d1b4ULL);

    SiteSpec other;
    other.seed = 2;
    const Site c = generate_site(other);
    BOOST_TEST(fingerprint(c) != fingerprint(a));
    BOOST_TEST(c.find("/page/1/")->body != a.find("/page/1/")->body);
    BOOST_TEST(fingerprint(generate_site(odd_spec())) == fingerprint(generate_site(odd_spec())));
}

BOOST_AUTO_TEST_CASE(manifest_matches_an_independent_crawl) {
    check_manifest_against_crawl(generate_site(SiteSpec{}));
    check_manifest_against_crawl(generate_site(odd_spec()));
}

BOOST_AUTO_TEST_CASE(every_quote_is_on_exactly_one_listing_page) {
    check_quotes(generate_site(SiteSpec{}));
    check_quotes(generate_site(odd_spec()));
}

BOOST_AUTO_TEST_CASE(counts_describe_the_site) {
    const Site site = generate_site(SiteSpec{});
    const ManifestCounts& c = site.manifest.counts;
    BOOST_TEST(c.listing_pages == 10u);
    BOOST_TEST(c.quotes == 100u);
    BOOST_TEST(c.author_pages == 50u);
    BOOST_TEST(c.tag_pages > 0u);
    BOOST_TEST(c.pages_in_site == 1 + c.listing_pages + c.author_pages + c.tag_pages + 1);
    BOOST_TEST(c.reachable_pages == site.manifest.reachable.size());
    BOOST_TEST(c.not_found > 0u);
    BOOST_TEST(c.duplicate_links > 0u);
    BOOST_TEST(site.manifest.offsite == std::vector<std::string>{"http://offsite.invalid/quotes"});
    std::size_t bytes = 0;
    for (const std::string& path : site.manifest.reachable) bytes += site.find(path)->body.size();
    BOOST_TEST(c.reachable_bytes == bytes);
    // robots.txt is served but not linked; authors without quotes are unreachable.
    BOOST_TEST(site.find("/robots.txt") != nullptr);
    for (const AuthorRecord& a : site.manifest.authors)
        BOOST_TEST(std::binary_search(site.manifest.reachable.begin(),
                                      site.manifest.reachable.end(), a.path) == (a.quotes > 0));
}

BOOST_AUTO_TEST_CASE(listing_pages_are_about_3_4_kb) {
    const Site site = generate_site(SiteSpec{.pages = 200});
    std::size_t total = 0, smallest = SIZE_MAX, largest = 0;
    for (int n = 1; n <= 200; ++n) {
        const std::size_t size = site.find("/page/" + std::to_string(n) + "/")->body.size();
        total += size;
        smallest = std::min(smallest, size);
        largest = std::max(largest, size);
    }
    const double mean = static_cast<double>(total) / 200;
    BOOST_TEST_MESSAGE("listing pages: mean " << mean << " bytes, " << smallest << ".." << largest);
    BOOST_TEST(mean >= 3200.0);
    BOOST_TEST(mean <= 3700.0);
    BOOST_TEST(smallest >= 2500u);
    BOOST_TEST(largest <= 4500u);
}

BOOST_AUTO_TEST_CASE(five_thousand_pages_for_the_benchmark) {
    const auto start = std::chrono::steady_clock::now();
    const Site site = generate_site(SiteSpec{.pages = 5000});
    const auto generated = std::chrono::steady_clock::now();
    const std::string manifest = manifest_json(site);
    const auto serialized = std::chrono::steady_clock::now();
    using ms = std::chrono::duration<double, std::milli>;
    const ManifestCounts& c = site.manifest.counts;
    BOOST_TEST_MESSAGE("pages=5000: " << c.pages_in_site << " pages (" << c.reachable_pages
                                      << " reachable), " << c.quotes << " quotes, "
                                      << c.reachable_bytes / 1000 << " kB; generated in "
                                      << ms(generated - start).count() << " ms, manifest ("
                                      << manifest.size() / 1000 << " kB) in "
                                      << ms(serialized - generated).count() << " ms");
    BOOST_TEST(c.listing_pages == 5000u);
    BOOST_TEST(c.reachable_pages >= 5000u);
    BOOST_TEST(c.quotes == 50'000u);
    BOOST_TEST(ms(generated - start).count() < 60'000.0);  // a loose bound, for sanitizers
}

BOOST_AUTO_TEST_CASE(write_site_writes_what_nginx_serves) {
    const Site site = generate_site(SiteSpec{.pages = 12, .seed = 5});
    const auto dir = std::filesystem::temp_directory_path() /
                     ("interloop-quotes-site-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    write_site(site, dir);
    auto slurp = [](const std::filesystem::path& file) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return bytes.str();
    };
    for (const auto& [path, page] : site.pages) {
        auto file = dir / path.substr(1);
        if (path.ends_with('/')) file /= "index.html";
        BOOST_TEST(slurp(file) == page.body, path);
    }
    const std::string manifest = slurp(dir / "manifest.json");
    BOOST_TEST(manifest == manifest_json(site));
    std::filesystem::remove_all(dir);

    const boost::json::value json = boost::json::parse(manifest);
    const Manifest& m = site.manifest;
    BOOST_TEST(json.at("spec").at("pages").as_int64() == 12);
    BOOST_TEST(json.at("counts").at("reachable_pages").as_int64() ==
               static_cast<std::int64_t>(m.counts.reachable_pages));
    BOOST_TEST(json.at("reachable").as_array().size() == m.reachable.size());
    BOOST_TEST(json.at("not_found").as_array().size() == m.not_found.size());
    const boost::json::array& quotes = json.at("quotes").as_array();
    BOOST_TEST_REQUIRE(quotes.size() == m.quotes.size());
    for (std::size_t i = 0; i < quotes.size(); ++i) {
        BOOST_TEST(quotes[i].at("text").as_string() == m.quotes[i].text);
        BOOST_TEST(quotes[i].at("author").as_string() == m.quotes[i].author);
        BOOST_TEST(quotes[i].at("page").as_string() == m.quotes[i].page);
        BOOST_TEST(quotes[i].at("tags").as_array().size() == m.quotes[i].tags.size());
    }
}

BOOST_AUTO_TEST_CASE(relative_hrefs_resolve_back) {
    const char* paths[] = {"/",           "/page/1/",          "/page/12/",
                           "/tag/love/",  "/tag/love/page/3/", "/author/J-K-Rowling/",
                           "/robots.txt", "/missing/4/"};
    for (const char* from : paths)
        for (const char* to : paths) {
            const std::string href = relative_href(from, to);
            BOOST_TEST(!href.starts_with("/"));
            BOOST_TEST(canonical(from, href) == to, from << " -> " << to << " via " << href);
        }
    BOOST_TEST(relative_href("/page/2/", "/page/3/") == "../3/");
    BOOST_TEST(relative_href("/page/2/", "/page/2/") == "./");
}

BOOST_AUTO_TEST_CASE(bad_specs_are_rejected) {
    BOOST_CHECK_THROW(generate_site(SiteSpec{.pages = 0}), std::invalid_argument);
    BOOST_CHECK_THROW(generate_site(SiteSpec{.quotes_per_page = 0}), std::invalid_argument);
    BOOST_CHECK_THROW(generate_site(SiteSpec{.authors = 0}), std::invalid_argument);
    BOOST_CHECK_THROW(generate_site(SiteSpec{.broken_links_per_page = -1}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
