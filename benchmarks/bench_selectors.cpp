// Cost per page of parsing and extracting with the spider's selectors, next to the baselines a
// bare libcurl+libxml2 crawler would use, measured in the same run on the same generated ~3.4 KB
// quotes page: 10 quotes (text, author, tags) and every link (~27).
//
//   parse:    HtmlDocument::parse (decode check + htmlReadMemory) vs bare htmlReadMemory
//   extract:  css() and xpath() through our API, the css() selectors run through their XPath
//             translation, raw libxml2 compiled XPath, and a hand-written tree walk.

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "spider/css_to_xpath.hpp"
#include "spider/html_document.hpp"
#include "spider/selector.hpp"

using namespace interloop::spider;
using Clock = std::chrono::steady_clock;

namespace {

struct Quote {
    std::string text, author;
    std::vector<std::string> tags;
    bool operator==(const Quote&) const = default;
};
struct Extracted {
    std::vector<Quote> quotes;
    std::vector<std::string> links;
    bool operator==(const Extracted&) const = default;
};

/// A quotes.toscrape.com-shaped listing page: 10 quotes, 1-2 tags each, ~27 links, ~3.4 KB.
std::string make_page() {
    static const char* authors[] = {"Albert Einstein", "J.K. Rowling", "Jane Austen",
                                    "Marilyn Monroe", "André Gide"};
    static const char* tags[] = {"life", "love", "books", "humor", "truth", "world"};
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n"
        "<title>Quotes to Scrape</title>\n</head>\n<body>\n<div class=\"container\">\n"
        "<div class=\"row header-box\"><h1><a href=\"/\">Quotes to Scrape</a></h1></div>\n"
        "<div class=\"row\"><div class=\"col-md-8\">\n";
    for (int i = 0; i < 10; ++i) {
        const std::string author = authors[i % 5];
        std::string slug = author;
        std::replace(slug.begin(), slug.end(), ' ', '-');
        page += fmt::format(
            "<div class=\"quote\" itemscope>\n<span class=\"text\">“Quote number {} about "
            "things &amp; more things.”</span>\n<span>by <small class=\"author\">{}</small>\n"
            "<a href=\"/author/{}/\">(about)</a></span>\n<div class=\"tags\">Tags:\n",
            i + 1, author, slug);
        for (int t = 0; t < 1 + i % 2; ++t) {
            const char* tag = tags[(i + t) % 6];
            page += fmt::format("<a class=\"tag\" href=\"/tag/{0}/\">{0}</a>\n", tag);
        }
        page += "</div>\n</div>\n";
    }
    page +=
        "<nav><ul class=\"pager\"><li class=\"next\"><a href=\"/page/2/\">Next "
        "<span aria-hidden=\"true\">&rarr;</span></a></li></ul></nav>\n</div></div>\n</div>\n"
        "</body>\n</html>\n";
    return page;
}

Extracted with_css(const Selector& root) {
    Extracted out;
    for (const Selector& q : root.css(".quote")) {
        out.quotes.push_back({q.css("span.text::text").get(""), q.css("small.author::text").get(""),
                              q.css("a.tag::text").getall()});
    }
    out.links = root.css("a::attr(href)").getall();
    return out;
}

Extracted with_xpath(const Selector& root) {
    Extracted out;
    for (const Selector& q : root.xpath("//div[@class='quote']")) {
        out.quotes.push_back({q.xpath("./span[@class='text']/text()").get(""),
                              q.xpath("./span/small[@class='author']/text()").get(""),
                              q.xpath(".//a[@class='tag']/text()").getall()});
    }
    out.links = root.xpath("//a/@href").getall();
    return out;
}

Extracted with_translated_css(const Selector& root) {
    static const std::string quote = css_to_xpath(".quote"), text = css_to_xpath("span.text::text"),
                             author = css_to_xpath("small.author::text"),
                             tag = css_to_xpath("a.tag::text"),
                             href = css_to_xpath("a::attr(href)");
    Extracted out;
    for (const Selector& q : root.xpath(quote)) {
        out.quotes.push_back(
            {q.xpath(text).get(""), q.xpath(author).get(""), q.xpath(tag).getall()});
    }
    out.links = root.xpath(href).getall();
    return out;
}

// ---- baselines on the bare libxml2 tree ---------------------------------------------------

std::string content(xmlNodePtr n) {
    xmlChar* s = xmlNodeGetContent(n);
    std::string out = s != nullptr ? reinterpret_cast<const char*>(s) : "";
    xmlFree(s);
    return out;
}

/// Raw libxml2: expressions compiled once, one reused context, as a careful C crawler would.
struct RawXPath {
    xmlXPathContextPtr ctx = xmlXPathNewContext(nullptr);
    xmlXPathCompExprPtr quote = xmlXPathCompile(BAD_CAST "//div[@class='quote']");
    xmlXPathCompExprPtr text = xmlXPathCompile(BAD_CAST "./span[@class='text']/text()");
    xmlXPathCompExprPtr author = xmlXPathCompile(BAD_CAST "./span/small[@class='author']/text()");
    xmlXPathCompExprPtr tag = xmlXPathCompile(BAD_CAST ".//a[@class='tag']/text()");
    xmlXPathCompExprPtr href = xmlXPathCompile(BAD_CAST "//a/@href");
    ~RawXPath() {
        for (auto* c : {quote, text, author, tag, href}) xmlXPathFreeCompExpr(c);
        xmlXPathFreeContext(ctx);
    }

    template <class F>
    void each(xmlXPathCompExprPtr comp, xmlNodePtr node, F f) {
        ctx->node = node;
        xmlXPathObjectPtr r = xmlXPathCompiledEval(comp, ctx);
        if (r != nullptr && r->nodesetval != nullptr) {
            for (int i = 0; i < r->nodesetval->nodeNr; ++i) f(r->nodesetval->nodeTab[i]);
        }
        xmlXPathFreeObject(r);
    }

    Extracted run(xmlDocPtr doc) {
        Extracted out;
        ctx->doc = doc;
        each(quote, xmlDocGetRootElement(doc), [&](xmlNodePtr q) {
            Quote item;
            each(text, q, [&](xmlNodePtr n) { item.text = content(n); });
            each(author, q, [&](xmlNodePtr n) { item.author = content(n); });
            each(tag, q, [&](xmlNodePtr n) { item.tags.push_back(content(n)); });
            out.quotes.push_back(std::move(item));
        });
        each(href, xmlDocGetRootElement(doc),
             [&](xmlNodePtr n) { out.links.push_back(content(n)); });
        return out;
    }
};

bool has_class(xmlNodePtr n, const char* cls) {
    xmlChar* v = xmlGetProp(n, BAD_CAST "class");
    const bool yes = v != nullptr && std::strcmp(reinterpret_cast<char*>(v), cls) == 0;
    xmlFree(v);
    return yes;
}
bool named(xmlNodePtr n, const char* name) {
    return n->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

/// The hand-written walk: knows the page's shape, visits each node once.
void walk(xmlNodePtr n, Extracted& out, Quote* quote) {
    for (; n != nullptr; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        Quote* inner = quote;
        if (named(n, "div") && has_class(n, "quote")) {
            out.quotes.emplace_back();
            inner = &out.quotes.back();
        } else if (quote != nullptr && named(n, "span") && has_class(n, "text")) {
            quote->text = content(n);
        } else if (quote != nullptr && named(n, "small") && has_class(n, "author")) {
            quote->author = content(n);
        }
        if (named(n, "a")) {
            if (quote != nullptr && has_class(n, "tag")) quote->tags.push_back(content(n));
            xmlChar* href = xmlGetProp(n, BAD_CAST "href");
            if (href != nullptr) out.links.emplace_back(reinterpret_cast<char*>(href));
            xmlFree(href);
        }
        walk(n->children, out, inner);
    }
}

constexpr int parse_options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_NONET | HTML_PARSE_COMPACT;

struct Method {
    const char* name;
    std::function<void()> call;
    std::vector<double> samples;  // µs per call, one per run
};

/// Runs every method `n` times per run, the methods interleaved within each run so that the
/// VM's drifting speed weighs on all of them alike; returns the median µs per call of each.
std::vector<double> measure(std::vector<Method>& methods, int runs, int n) {
    for (Method& m : methods) {
        for (int i = 0; i < n / 10 + 1; ++i) m.call();  // warm up
    }
    for (int r = 0; r < runs; ++r) {
        for (Method& m : methods) {
            const auto start = Clock::now();
            for (int i = 0; i < n; ++i) m.call();
            m.samples.push_back(
                std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n);
        }
    }
    std::vector<double> medians;
    for (Method& m : methods) {
        std::sort(m.samples.begin(), m.samples.end());
        medians.push_back(m.samples[m.samples.size() / 2]);
    }
    return medians;
}

}  // namespace

int main() {
    const std::string page = make_page();
    const int runs = 9, n = 1000;

    // Every method must extract the same thing.
    const auto doc = HtmlDocument::parse(page);
    const Selector root(doc);
    RawXPath raw;
    Extracted walked;
    walk(doc->xml_doc()->children, walked, nullptr);
    const Extracted expected = with_css(root);
    if (expected.quotes.size() != 10 || !(with_xpath(root) == expected) ||
        !(with_translated_css(root) == expected) || !(raw.run(doc->xml_doc()) == expected) ||
        !(walked == expected)) {
        std::fprintf(stderr, "the extraction methods disagree\n");
        return 1;
    }

    std::size_t sink = 0;  // results feed it, so nothing is optimized away
    std::vector<Method> methods{
        {"parse: HtmlDocument::parse", [&] { sink += HtmlDocument::parse(page).use_count(); }, {}},
        {"parse: bare htmlReadMemory",
         [&] {
             xmlDocPtr d = htmlReadMemory(page.data(), static_cast<int>(page.size()), nullptr,
                                          nullptr, parse_options);
             sink += d != nullptr;
             xmlFreeDoc(d);
         },
         {}},
        {"extract: css() (tree matcher)", [&] { sink += with_css(root).links.size(); }, {}},
        {"extract: xpath() (hand-written XPath)",
         [&] { sink += with_xpath(root).links.size(); },
         {}},
        {"extract: css() selectors as XPath (parsel way)",
         [&] { sink += with_translated_css(root).links.size(); },
         {}},
        {"extract: raw libxml2 compiled XPath (baseline)",
         [&] { sink += raw.run(doc->xml_doc()).links.size(); },
         {}},
        {"extract: direct tree walk (baseline)",
         [&] {
             Extracted out;
             walk(doc->xml_doc()->children, out, nullptr);
             sink += out.links.size();
         },
         {}},
    };
    const std::vector<double> us = measure(methods, runs, n);
    const double parse_ours = us[0], parse_bare = us[1], css = us[2], raw_xpath = us[5],
                 tree_walk = us[6];

    std::printf("page: %zu bytes, %zu quotes, %zu links; median of %d runs x %d pages\n\n",
                page.size(), expected.quotes.size(), expected.links.size(), runs, n);
    std::printf("%-46s %9s %9s %9s\n", "per page", "us", "/walk", "/rawXPath");
    auto row = [&](const char* name, double us) {
        std::printf("%-46s %9.2f %8.2fx %8.2fx\n", name, us, us / tree_walk, us / raw_xpath);
    };
    for (std::size_t i = 0; i < 2; ++i) {
        std::printf("%-46s %9.2f\n", methods[i].name, us[i]);
    }
    for (std::size_t i = 2; i < methods.size(); ++i) row(methods[i].name, us[i]);
    std::printf(
        "\nparse + extract: css() %.1f us, raw XPath %.1f us, walk %.1f us; css() adds "
        "%.1f%% over parse + walk\n",
        parse_ours + css, parse_bare + raw_xpath, parse_bare + tree_walk,
        100.0 * ((parse_ours + css) - (parse_bare + tree_walk)) / (parse_bare + tree_walk));
    return sink == 0;
}
