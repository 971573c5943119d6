// The quotes site on disk: manifest.json and the page files nginx serves.
//
// manifest.json (one entry per line inside the arrays, so it also greps well):
//
//   {"format": "interloop-quotes-site-manifest/1",
//    "spec": {"pages": 10, "quotes_per_page": 10, "authors": 50, "tags": 40, "seed": 1,
//             "broken_links_per_page": 1, "duplicate_links_per_page": 2, "tag_page_size": 20,
//             "offsite_link": true},
//    "counts": {"pages_in_site": .., "listing_pages": .., "author_pages": .., "tag_pages": ..,
//               "reachable_pages": .., "not_found": .., "quotes": .., "links": ..,
//               "same_site_links": .., "offsite_links": .., "duplicate_links": ..,
//               "reachable_bytes": ..},
//    "reachable": ["/", "/author/Ada-Lovelace/", ...],       200 pages reachable from "/"
//    "not_found": ["/missing/3/", ...],                      linked paths that are 404
//    "unreachable": ["/author/Haruki-Woolf/", "/robots.txt", ...],   served, never linked
//    "offsite": ["http://offsite.invalid/quotes"],
//    "authors": [{"path": .., "name": .., "born_date": .., "born_location": .., "quotes": 3}],
//    "quotes": [{"id": 1, "page": "/page/1/", "author": .., "author_path": ..,
//                "tags": ["love", ...], "text": "“...”"}]}
//
// Strings are UTF-8; texts are as a scraper extracts them (entities decoded).

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "docs/examples/quotes_site/site.hpp"

namespace interloop::examples {

namespace {

/// Appends `text` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
                else
                    out += c;
        }
    }
    out += '"';
}

/// Appends `"name": [` + one string per line + `]`.
void append_string_array(std::string& out, std::string_view name,
                         const std::vector<std::string>& items) {
    fmt::format_to(std::back_inserter(out), ",\n\"{}\": [", name);
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        append_json_string(out, items[i]);
    }
    out += "\n]";
}

/// Writes `bytes` to `file`, creating its directory.
void write_file(const std::filesystem::path& file, std::string_view bytes) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    stream.close();
    if (!stream) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
}

}  // namespace

std::string manifest_json(const Site& site) {
    const SiteSpec& s = site.spec;
    const Manifest& m = site.manifest;
    const ManifestCounts& c = m.counts;
    std::string out;
    out.reserve(256 + m.reachable.size() * 24 + m.quotes.size() * 200);
    auto to = std::back_inserter(out);
    fmt::format_to(to,
                   "{{\"format\": \"interloop-quotes-site-manifest/1\",\n"
                   "\"spec\": {{\"pages\": {}, \"quotes_per_page\": {}, \"authors\": {}, "
                   "\"tags\": {}, \"seed\": {}, \"broken_links_per_page\": {}, "
                   "\"duplicate_links_per_page\": {}, \"tag_page_size\": {}, "
                   "\"offsite_link\": {}}},\n",
                   s.pages, s.quotes_per_page, s.authors, s.tags, s.seed, s.broken_links_per_page,
                   s.duplicate_links_per_page, s.tag_page_size, s.offsite_link);
    fmt::format_to(to,
                   "\"counts\": {{\"pages_in_site\": {}, \"listing_pages\": {}, "
                   "\"author_pages\": {}, \"tag_pages\": {}, \"reachable_pages\": {}, "
                   "\"not_found\": {}, \"quotes\": {}, \"links\": {}, \"same_site_links\": {}, "
                   "\"offsite_links\": {}, \"duplicate_links\": {}, \"reachable_bytes\": {}}}",
                   c.pages_in_site, c.listing_pages, c.author_pages, c.tag_pages, c.reachable_pages,
                   c.not_found, c.quotes, c.links, c.same_site_links, c.offsite_links,
                   c.duplicate_links, c.reachable_bytes);
    append_string_array(out, "reachable", m.reachable);
    append_string_array(out, "not_found", m.not_found);
    append_string_array(out, "unreachable", m.unreachable);
    append_string_array(out, "offsite", m.offsite);

    out += ",\n\"authors\": [";
    for (std::size_t i = 0; i < m.authors.size(); ++i) {
        const AuthorRecord& a = m.authors[i];
        out += i == 0 ? "\n{\"path\": " : ",\n{\"path\": ";
        append_json_string(out, a.path);
        out += ", \"name\": ";
        append_json_string(out, a.name);
        out += ", \"born_date\": ";
        append_json_string(out, a.born_date);
        out += ", \"born_location\": ";
        append_json_string(out, a.born_location);
        fmt::format_to(to, ", \"quotes\": {}}}", a.quotes);
    }
    out += "\n],\n\"quotes\": [";
    for (std::size_t i = 0; i < m.quotes.size(); ++i) {
        const QuoteRecord& q = m.quotes[i];
        fmt::format_to(to, "{}{{\"id\": {}, \"page\": ", i == 0 ? "\n" : ",\n", q.id);
        append_json_string(out, q.page);
        out += ", \"author\": ";
        append_json_string(out, q.author);
        out += ", \"author_path\": ";
        append_json_string(out, q.author_path);
        out += ", \"tags\": [";
        for (std::size_t t = 0; t < q.tags.size(); ++t) {
            if (t > 0) out += ", ";
            append_json_string(out, q.tags[t]);
        }
        out += "], \"text\": ";
        append_json_string(out, q.text);
        out += '}';
    }
    out += "\n]}\n";
    return out;
}

void write_site(const Site& site, const std::filesystem::path& dir) {
    for (const auto& [path, page] : site.pages) {
        if (page.status != 200) continue;
        // "/page/3/" → dir/page/3/index.html; "/robots.txt" → dir/robots.txt.
        std::filesystem::path file = dir / std::string_view(path).substr(1);
        if (path.back() == '/') file /= "index.html";
        write_file(file, page.body);
    }
    write_file(dir / "manifest.json", manifest_json(site));
}

}  // namespace interloop::examples
