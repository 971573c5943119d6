// The quotes site's content and page layout (see site.hpp for the shape of the site).

#include "docs/examples/quotes_site/site_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "docs/examples/quotes_site/words.hpp"

namespace interloop::examples::detail {

namespace {

/// "J.K. O'Keeffe 2" → "J-K-O-Keeffe-2".
std::string slug(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += c;
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

}  // namespace

std::string SiteModel::Tag::page_path(std::size_t k) const {
    return k == 1 ? path : fmt::format("{}page/{}/", path, k);
}

SiteModel::SiteModel(const SiteSpec& spec) : spec_(spec), rng_(spec.seed) {
    const std::size_t firsts = words::first_names.size(), lasts = words::last_names.size();
    for (std::size_t i = 0; i < static_cast<std::size_t>(spec.authors); ++i) {
        // (i % F, (i / F + i % F) % L) is one-to-one for i < F * L; a suffix beyond.
        const std::size_t a = i % firsts, round = i / firsts;
        std::string name =
            fmt::format("{} {}", words::first_names[a], words::last_names[(round + a) % lasts]);
        if (round >= lasts) name += fmt::format(" {}", round / lasts + 1);
        Author author;
        author.path = fmt::format("/author/{}/", slug(name));
        author.name = std::move(name);
        // One draw per statement: the order of evaluation of function arguments is
        // unspecified, and the bytes must not depend on the compiler.
        const std::size_t month = rng_.below(12), day = 1 + rng_.below(28);
        const std::size_t year = 1700 + rng_.below(300);
        author.born_date = fmt::format("{} {}, {}", words::months[month], day, year);
        author.born_location = words::places[rng_.below(words::places.size())];
        for (std::size_t s = 3 + rng_.below(3); s > 0; --s) {
            if (!author.bio.empty()) author.bio += ' ';
            author.bio += sentence(8, 10);
        }
        authors_.push_back(std::move(author));
    }
    const std::size_t base_tags = words::tags.size();
    for (std::size_t i = 0; i < static_cast<std::size_t>(spec.tags); ++i) {
        Tag tag;
        tag.name = i < base_tags
                       ? std::string(words::tags[i])
                       : fmt::format("{}-{}", words::tags[i % base_tags], i / base_tags + 1);
        tag.path = fmt::format("/tag/{}/", tag.name);
        tags_.push_back(std::move(tag));
    }
    const int total = spec.pages * spec.quotes_per_page;
    quotes_.reserve(static_cast<std::size_t>(total));
    for (int id = 1; id <= total; ++id) {
        Quote quote;
        quote.text = sentence(3, 4);
        quote.author = rng_.skewed(authors_.size(), 2);
        // 0, 1, 2 or 3 tags with odds 1 : 4 : 2 : 1.
        static constexpr std::size_t tag_counts[] = {0, 1, 1, 1, 1, 2, 2, 3};
        const std::size_t tag_count = std::min(tag_counts[rng_.below(8)], tags_.size());
        while (quote.tags.size() < tag_count) {
            std::size_t t = rng_.skewed(tags_.size(), 2);
            if (std::find(quote.tags.begin(), quote.tags.end(), t) == quote.tags.end())
                quote.tags.push_back(t);
        }
        quote.page = (id - 1) / spec.quotes_per_page + 1;
        authors_[quote.author].quotes.push_back(id);
        for (std::size_t t : quote.tags) tags_[t].quotes.push_back(id);
        quotes_.push_back(std::move(quote));
    }
}

std::size_t SiteModel::tag_pages(const Tag& tag) const noexcept {
    const std::size_t size = static_cast<std::size_t>(spec_.tag_page_size);
    return (tag.quotes.size() + size - 1) / size;
}

std::size_t SiteModel::page_count() const noexcept {
    std::size_t n = 1 + static_cast<std::size_t>(spec_.pages) + authors_.size();
    for (const Tag& tag : tags_) n += tag_pages(tag);
    return n;
}

std::string SiteModel::sentence(std::size_t min_words, std::size_t extra_words) {
    std::string out;
    const std::size_t n = min_words + rng_.below(extra_words + 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) out += (rng_.below(10) == 0) ? ", " : " ";
        out += words::text[rng_.below(words::text.size())];
    }
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    static constexpr std::string_view endings[] = {".", ".", ".", "!", "?"};
    out += endings[rng_.below(std::size(endings))];
    return out;
}

std::vector<std::string> SiteModel::draw_broken() {
    std::vector<std::string> paths;
    for (int i = 0; i < spec_.broken_links_per_page; ++i) {
        std::string path;
        switch (rng_.below(4)) {
            case 0:
                path = fmt::format("/page/{}/", spec_.pages + 1 + rng_.below(3));
                break;
            case 1: {
                const Author& a = authors_[rng_.below(authors_.size())];
                path = a.path.substr(0, a.path.size() - 1) + "-Jr/";
                break;
            }
            case 2: {
                const Tag& t = tags_[rng_.below(tags_.size())];
                path = t.page_path(tag_pages(t) + 1);  // one past its last page
                break;
            }
            default:
                path =
                    fmt::format("/missing/{}/", rng_.below(static_cast<std::size_t>(spec_.pages)));
        }
        broken_seen_.insert(path);
        paths.push_back(std::move(path));
    }
    return paths;
}

std::vector<std::size_t> SiteModel::top_tags(std::size_t n) const {
    std::vector<std::size_t> order;
    for (std::size_t t = 0; t < tags_.size(); ++t)
        if (!tags_[t].quotes.empty()) order.push_back(t);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return tags_[a].quotes.size() > tags_[b].quotes.size();
    });
    order.resize(std::min(n, order.size()));
    return order;
}

void SiteModel::finish_page(PageBuilder& page,
                            const std::function<void(PageBuilder::Result&&)>& add) {
    page.see_also(rng_, draw_broken(), spec_.duplicate_links_per_page);
    add(std::move(page).finish(spec_.offsite_link));
}

void SiteModel::build_pages(const std::function<void(PageBuilder::Result&&)>& add) {
    build_home(add);
    for (int n = 1; n <= spec_.pages; ++n) build_listing(n, add);
    for (const Author& author : authors_) build_author(author, add);
    for (const Tag& tag : tags_)
        for (std::size_t k = 1; k <= tag_pages(tag); ++k) build_tag_page(tag, k, add);
}

void SiteModel::build_home(const std::function<void(PageBuilder::Result&&)>& add) {
    PageBuilder page("/");
    page.raw("<div class=\"row\"><div class=\"col-md-8\">\n<p>Quotes from famous people, ");
    page.raw("generated for crawling. Start with ");
    page.link("/page/1/", "the first page");
    page.raw(".</p>\n</div>\n<div class=\"col-md-4 tags-box\"><h2>Top Ten tags</h2>\n");
    for (std::size_t t : top_tags(10)) {
        page.raw("<span class=\"tag-item\">");
        page.link(tags_[t].path, tags_[t].name, " class=\"tag\"");
        page.raw("</span>\n");
    }
    page.raw("</div></div>\n");
    finish_page(page, add);
}

void SiteModel::build_listing(int n, const std::function<void(PageBuilder::Result&&)>& add) {
    PageBuilder page(fmt::format("/page/{}/", n));
    const int first = (n - 1) * spec_.quotes_per_page + 1;
    for (int id = first; id < first + spec_.quotes_per_page; ++id) {
        const Quote& q = quotes_[static_cast<std::size_t>(id - 1)];
        const Author& author = authors_[q.author];
        page.raw(fmt::format("<div class=\"quote\" id=\"q{}\"><span class=\"text\">\u201c", id));
        page.text(q.text);
        page.raw("\u201d</span>\n<span>by <small class=\"author\">");
        page.text(author.name);
        page.raw("</small> ");
        page.link(author.path, "(about)");
        page.raw("</span>\n<div class=\"tags\">Tags:");
        for (std::size_t t : q.tags) {
            page.raw(" ");
            page.link(tags_[t].path, tags_[t].name, " class=\"tag\"");
        }
        page.raw("</div></div>\n");
    }
    page.raw("<ul class=\"pager\">");
    if (n > 1) {
        page.raw("<li class=\"previous\">");
        page.link(fmt::format("/page/{}/", n - 1), "\u2190 Previous");
        page.raw("</li>");
    }
    if (n < spec_.pages) {
        page.raw("<li class=\"next\">");
        page.link(fmt::format("/page/{}/", n + 1), "Next \u2192");
        page.raw("</li>");
    }
    page.raw("</ul>\n");
    finish_page(page, add);
}

void SiteModel::build_author(const Author& author,
                             const std::function<void(PageBuilder::Result&&)>& add) {
    PageBuilder page(author.path);
    page.raw("<div class=\"author-details\">\n<h3 class=\"author-title\">");
    page.text(author.name);
    page.raw("</h3>\n<p><strong>Born:</strong> <span class=\"author-born-date\">");
    page.text(author.born_date);
    page.raw("</span> <span class=\"author-born-location\">");
    page.text(author.born_location);
    page.raw("</span></p>\n<strong>Description:</strong>\n<div class=\"author-description\">");
    page.text(author.bio);
    page.raw("</div>\n");
    if (!author.quotes.empty()) {
        const int id = author.quotes.front();
        const Quote& q = quotes_[static_cast<std::size_t>(id - 1)];
        const std::string listing = fmt::format("/page/{}/", q.page);
        page.raw("<p>First quoted on ");
        page.link_as(listing, fmt::format("{}#q{}", listing, id), fmt::format("page {}", q.page));
        page.raw(".");
        for (std::size_t t : q.tags) {
            page.raw(" ");
            page.link(tags_[t].path, tags_[t].name, " class=\"tag\"");
        }
        page.raw("</p>\n");
    }
    page.raw("</div>\n");
    finish_page(page, add);
}

void SiteModel::build_tag_page(const Tag& tag, std::size_t k,
                               const std::function<void(PageBuilder::Result&&)>& add) {
    PageBuilder page(tag.page_path(k));
    page.raw("<h3>Viewing tag: ");
    page.link(tag.path, tag.name, " class=\"tag\"");
    page.raw("</h3>\n<ul class=\"quote-refs\">\n");
    const std::size_t size = static_cast<std::size_t>(spec_.tag_page_size);
    const std::size_t begin = (k - 1) * size, end = std::min(begin + size, tag.quotes.size());
    for (std::size_t i = begin; i < end; ++i) {
        const int id = tag.quotes[i];
        const Quote& q = quotes_[static_cast<std::size_t>(id - 1)];
        const std::string listing = fmt::format("/page/{}/", q.page);
        page.raw("<li class=\"quote-ref\">");
        page.link_as(listing, fmt::format("{}#q{}", relative_href(page.path(), listing), id),
                     "\u201c" + q.text + "\u201d");
        page.raw(" by ");
        page.link(authors_[q.author].path, authors_[q.author].name);
        page.raw("</li>\n");
    }
    page.raw("</ul>\n<ul class=\"pager\">");
    if (k > 1) {
        const std::string previous = tag.page_path(k - 1);
        page.raw("<li class=\"previous\">");
        page.link_as(previous, relative_href(page.path(), previous), "\u2190 Previous");
        page.raw("</li>");
    }
    if (end < tag.quotes.size()) {
        const std::string next = tag.page_path(k + 1);
        page.raw("<li class=\"next\">");
        page.link_as(next, relative_href(page.path(), next), "Next \u2192");
        page.raw("</li>");
    }
    page.raw("</ul>\n");
    finish_page(page, add);
}

std::vector<QuoteRecord> SiteModel::quote_records() const {
    std::vector<QuoteRecord> records;
    records.reserve(quotes_.size());
    for (std::size_t i = 0; i < quotes_.size(); ++i) {
        const Quote& q = quotes_[i];
        QuoteRecord r;
        r.id = static_cast<int>(i + 1);
        r.text = "\u201c" + q.text + "\u201d";
        r.author = authors_[q.author].name;
        r.author_path = authors_[q.author].path;
        for (std::size_t t : q.tags) r.tags.push_back(tags_[t].name);
        r.page = fmt::format("/page/{}/", q.page);
        records.push_back(std::move(r));
    }
    return records;
}

std::vector<AuthorRecord> SiteModel::author_records() const {
    std::vector<AuthorRecord> records;
    for (const Author& a : authors_)
        records.push_back(
            {a.name, a.path, a.born_date, a.born_location, static_cast<int>(a.quotes.size())});
    std::sort(records.begin(), records.end(),
              [](const AuthorRecord& x, const AuthorRecord& y) { return x.path < y.path; });
    return records;
}

}  // namespace interloop::examples::detail
