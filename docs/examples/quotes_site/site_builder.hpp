#pragma once
// Internals of the quotes site generator (site.cpp): the seeded random source, the page
// builder that records every link it writes, and the model (authors, tags, quotes) that lays
// out and builds every HTML page. Not part of the public API.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docs/examples/quotes_site/site.hpp"

namespace interloop::examples::detail {

/// SplitMix64: a tiny generator whose output is fixed by the seed on every platform (the
/// standard distributions are not), so a spec always gives the same bytes.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
    /// The next 64 random bits.
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// A number in [0, n) (n > 0).
    std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
    /// A number in [0, n), small values more likely (the minimum of `draws` draws).
    std::size_t skewed(std::size_t n, int draws) noexcept {
        std::size_t best = below(n);
        for (int i = 1; i < draws; ++i) best = std::min(best, below(n));
        return best;
    }

private:
    std::uint64_t state_;
};

/// Appends `text` to `out` with & < > " ' escaped for HTML text and attribute values.
void append_escaped(std::string& out, std::string_view text);

/// Builds the body of one HTML page, recording the canonical target of every link it writes.
class PageBuilder {
public:
    /// The links of one page: canonical same-site paths and off-site URLs, every occurrence.
    struct Links {
        std::vector<std::string> same_site;
        std::vector<std::string> offsite;
    };
    /// What `finish()` hands over.
    struct Result {
        std::string path;
        Links links;
        std::string body;
    };

    /// Starts the page at `path` (doctype, head, header with a link to "/").
    explicit PageBuilder(std::string path);

    /// The page's path.
    const std::string& path() const noexcept { return path_; }
    /// Appends markup as is.
    void raw(std::string_view html) { body_ += html; }
    /// Appends text, escaped.
    void text(std::string_view plain) { append_escaped(body_, plain); }
    /// Appends `<a{attrs} href="{href}">{label escaped}</a>`, where `href` resolves (against
    /// this page) to the same-site path `target` once a fragment and an empty query are gone.
    void link_as(std::string_view target, std::string_view href, std::string_view label,
                 std::string_view attrs = {});
    /// `link_as` with `href == target`.
    void link(std::string_view target, std::string_view label, std::string_view attrs = {}) {
        link_as(target, target, label, attrs);
    }
    /// Appends the "see also" block: `broken` links to missing paths and `duplicates` more
    /// links to targets already on the page, spelled in rotating ways.
    void see_also(Rng& rng, const std::vector<std::string>& broken, int duplicates);
    /// Closes the page (footer, with the off-site link if `offsite`) and hands it over.
    Result finish(bool offsite) &&;

private:
    std::string path_;
    std::string body_;
    Links links_;
    std::vector<std::string> hrefs_;  // parallel to links_.same_site: the spelling used
};

/// The content of a site (authors, tags, quotes) and the layout of its pages.
class SiteModel {
public:
    /// Draws authors, tags and quotes for `spec` (already checked).
    explicit SiteModel(const SiteSpec& spec);

    /// How many HTML pages build_pages() emits.
    std::size_t page_count() const noexcept;
    /// Builds every HTML page, in a fixed order, handing each finished one to `add`.
    void build_pages(const std::function<void(PageBuilder::Result&&)>& add);
    /// Every distinct broken path linked by the pages built so far.
    const std::set<std::string>& broken_paths() const noexcept { return broken_seen_; }
    /// The quotes as a scraper sees them, by id.
    std::vector<QuoteRecord> quote_records() const;
    /// The authors as their pages show them, by path.
    std::vector<AuthorRecord> author_records() const;

private:
    struct Author {
        std::string name, path, born_date, born_location, bio;
        std::vector<int> quotes;  // ids
    };
    struct Tag {
        std::string name, path;
        std::vector<int> quotes;                     // ids
        std::string page_path(std::size_t k) const;  // k = 1.. → "/tag/t/", "/tag/t/page/k/"
    };
    struct Quote {
        std::string text;  // plain, without the curly quotes
        std::size_t author;
        std::vector<std::size_t> tags;
        int page;
    };

    std::size_t tag_pages(const Tag& tag) const noexcept;
    std::string sentence(std::size_t min_words, std::size_t extra_words);
    std::vector<std::string> draw_broken();
    std::vector<std::size_t> top_tags(std::size_t n) const;
    void finish_page(PageBuilder& page, const std::function<void(PageBuilder::Result&&)>& add);

    void build_home(const std::function<void(PageBuilder::Result&&)>& add);
    void build_listing(int n, const std::function<void(PageBuilder::Result&&)>& add);
    void build_author(const Author& author, const std::function<void(PageBuilder::Result&&)>& add);
    void build_tag_page(const Tag& tag, std::size_t k,
                        const std::function<void(PageBuilder::Result&&)>& add);

    SiteSpec spec_;
    Rng rng_;
    std::vector<Author> authors_;
    std::vector<Tag> tags_;
    std::vector<Quote> quotes_;  // quotes_[id - 1]
    std::set<std::string> broken_seen_;
};

}  // namespace interloop::examples::detail
