// css() matches on the tree instead of running the XPath translation; these tests hold it to
// selecting exactly what `xpath(css_to_xpath(q))` selects (the same nodes, in the same order),
// on random documents, random selectors and random context nodes. Also: scoping and caching.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "spider/css_to_xpath.hpp"
#include "spider/detail/selector_internals.hpp"
#include "spider/selector.hpp"
#include "tests/spider/selector_fixtures.hpp"

using namespace interloop::spider;
using Strings = std::vector<std::string>;

namespace {

struct RandomHtml {
    std::mt19937 rng;
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
    }

    const std::vector<std::string> tags{"div", "p", "span", "a", "ul", "li", "b"};
    const std::vector<std::string> classes{"x", "y", "z", "x y", " y  x ", "xy", "x-1", ""};

    void element(std::string& out, int depth) {
        const std::string& tag = pick(tags);
        out += "<" + tag;
        if (pick(2)) out += " class=\"" + pick(classes) + "\"";
        if (pick(5) == 0) out += " id=i" + std::to_string(pick(3));
        if (pick(3) == 0) out += " href=\"/" + pick(classes) + "/" + std::to_string(pick(3)) + "\"";
        if (pick(6) == 0) out += " data-k=en-" + std::to_string(pick(2));
        out += ">";
        const int children = depth > 4 ? 0 : pick(5);
        for (int i = 0; i < children; ++i) {
            if (pick(3) == 0) out += "t" + std::to_string(pick(9)) + " ";
            element(out, depth + 1);
        }
        if (pick(2)) out += "tail";
        if (pick(4)) out += "</" + tag + ">";  // sometimes left open: recovery decides
    }

    std::string document() {
        std::string out = "<html><body>";
        for (int i = 0, n = 1 + pick(4); i < n; ++i) element(out, 0);
        return out;
    }

    std::string compound() {
        std::string out = pick(3) ? pick(tags) : (pick(2) ? "*" : "");
        static const std::vector<std::string> conditions{".x",
                                                         ".y",
                                                         ".z",
                                                         "#i1",
                                                         "[href]",
                                                         "[class=x]",
                                                         "[class~=y]",
                                                         "[href^='/x']",
                                                         "[href$='1']",
                                                         "[href*=y]",
                                                         "[data-k|=en]",
                                                         "[class!=x]",
                                                         ":first-child",
                                                         ":last-child",
                                                         ":only-child",
                                                         ":nth-child(2)",
                                                         ":nth-child(odd)",
                                                         ":nth-child(-n+2)",
                                                         ":nth-last-child(2n)",
                                                         ":not(.x)",
                                                         ":not(span)",
                                                         ":not([href])"};
        for (int i = 0, n = pick(3); i < n; ++i) out += pick(conditions);
        return out.empty() ? "*" : out;
    }

    std::string selector() {
        static const std::vector<std::string> combinators{" ", " > ", " + ", " ~ "};
        std::string out = compound();
        for (int i = 0, n = pick(3); i < n; ++i) out += pick(combinators) + compound();
        switch (pick(6)) {
            case 0:
                out += "::text";
                break;
            case 1:
                out += " ::text";
                break;
            case 2:
                out += "::attr(href)";
                break;
            case 3:
                out += " ::attr(class)";
                break;
            default:
                break;
        }
        return pick(5) == 0 ? out + ", " + selector() : out;
    }
};

std::vector<const void*> nodes(const SelectorList& list) {
    std::vector<const void*> out;
    for (const Selector& s : list) out.push_back(s.node());
    return out;
}

/// Whether css() and the XPath translation select the same nodes from `context`.
bool agree(const Selector& context, const std::string& query) {
    const auto by_css = nodes(context.css(query));
    const auto by_xpath = nodes(context.xpath(css_to_xpath(query)));
    if (by_css == by_xpath) return true;
    BOOST_ERROR("css() and XPath disagree on '" << query << "': " << by_css.size() << " vs "
                                                << by_xpath.size() << " nodes");
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(css_matcher)

BOOST_AUTO_TEST_CASE(css_selects_what_its_xpath_translation_selects_on_random_documents) {
    RandomHtml random{std::mt19937(20240611)};
    int checks = 0;
    for (int doc = 0; doc < 150; ++doc) {
        const Selector root = Selector::from_html(random.document());
        const SelectorList elements = root.css("*");
        std::vector<Selector> contexts{root};
        for (int i = 0; i < 3 && !elements.empty(); ++i) {
            contexts.push_back(
                elements[static_cast<std::size_t>(random.pick(static_cast<int>(elements.size())))]);
        }
        for (int q = 0; q < 40; ++q) {
            const std::string query = random.selector();
            for (const Selector& context : contexts) {
                ++checks;
                if (!agree(context, query)) return;
            }
        }
    }
    BOOST_TEST(checks > 20000);
}

BOOST_AUTO_TEST_CASE(css_selects_what_its_xpath_translation_selects_on_the_quotes_page) {
    const Selector root = Selector::from_html(testing::quotes_page);
    const Strings queries{".quote",
                          "span.text::text",
                          ".quote > span.text::text",
                          "small.author::text",
                          "a.tag::text",
                          "li.next a::attr(href)",
                          "a ::attr(href)",
                          "a ::text",
                          "::text",
                          "*::text",
                          "::attr(class)",
                          "[itemscope]",
                          "[class$=box]",
                          "div.tags a.tag:nth-child(2)",
                          "meta ~ a::text",
                          "span + small",
                          "a, span.text",
                          ".quote ::text",
                          "footer .container p:last-child a::attr(href)",
                          "html > body",
                          "div ~ * > *::text",
                          "div ~ * > *::attr(class)",
                          "div ~ * > *"};
    for (const std::string& q : queries) {
        BOOST_TEST_CONTEXT(q) {
            BOOST_TEST(agree(root, q));
            for (const Selector& quote : root.css(".quote")) BOOST_TEST(agree(quote, q));
        }
    }
}

BOOST_AUTO_TEST_CASE(nothing_above_the_context_node_takes_part_in_a_match) {
    const SelectorList quotes = Selector::from_html(testing::quotes_page).css(".quote");
    BOOST_TEST(quotes[0].css("body .quote").empty());
    BOOST_TEST(quotes[0].css("div > .quote").empty());
    BOOST_TEST(quotes[0].css("div > span.text").size() == 1u);  // the context is that div
    BOOST_TEST(quotes[0].css(".quote > span.text").size() == 1u);
    BOOST_TEST(quotes[0].css("span:first-child::text").size() == 1u);
}

BOOST_AUTO_TEST_CASE(sibling_combinators_may_select_past_the_context_node_as_in_parsel) {
    // descendant-or-self::*[.quote]/following-sibling::*[1]: the context's own next sibling.
    const SelectorList quotes = Selector::from_html(testing::quotes_page).css(".quote");
    const SelectorList next = quotes[0].css(".quote + .quote");
    BOOST_TEST_REQUIRE(next.size() == 1u);
    BOOST_TEST(next[0].node() == quotes[1].node());
    BOOST_TEST(quotes[0].css(".quote ~ .quote small.author::text").getall() ==
               (Strings{"J.K. Rowling", "Steve Martin"}));
    BOOST_TEST(quotes[1].css("span + div .tag::text").getall() ==
               (Strings{"abilities", "choices"}));
}

BOOST_AUTO_TEST_CASE(descendant_chains_that_cannot_match_give_up_early_on_deep_trees) {
    // 3000 unclosed divs: without pruning, `span div div div div` retries every ancestor at
    // every level (depth^4 per element).
    std::string body;
    for (int i = 0; i < 3000; ++i) body += "<div class=d>";
    body += "<p>x</p>";
    const Selector sel = Selector::from_html(body);
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(sel.css("span div div div div").empty());
    BOOST_TEST(sel.css("span .d > .d .d p::text").empty());
    BOOST_TEST(sel.css("div > div ~ p, span div + div").empty());
    BOOST_TEST(sel.css("div div div > p::text").get() == "x");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST(std::chrono::duration<double>(elapsed).count() < 2.0);
    const Selector shallow = Selector::from_html(body.substr(0, 200 * 13) + "<p>x</p>");
    for (const char* q : {"span div div div", "div div > div p", ".d > .d ~ p", "div p::text"}) {
        BOOST_TEST(agree(shallow, q));
    }
}

BOOST_AUTO_TEST_CASE(nested_matches_yield_text_in_document_order_without_duplicates) {
    const Selector sel = Selector::from_html("<div>a<div>b</div>c</div><div>d</div>");
    BOOST_TEST(sel.css("div::text").getall() == (Strings{"a", "b", "c", "d"}));
    BOOST_TEST(sel.css("div ::text").getall() == (Strings{"a", "b", "c", "d"}));
    BOOST_TEST(sel.css("div ::text, div::text").getall() == (Strings{"a", "b", "c", "d"}));
    BOOST_TEST(sel.css("div::attr(x), div").size() == 3u);
}

BOOST_AUTO_TEST_CASE(hot_xpath_expressions_are_compiled_once_per_thread) {
    const Selector sel = Selector::from_html(testing::quotes_page);
    sel.xpath("//span[@class='text']/text()");
    const std::size_t before = detail::xpath_compilations();
    for (int page = 0; page < 5; ++page) {
        const Selector other = Selector::from_html(testing::quotes_page);
        BOOST_TEST(other.xpath("//span[@class='text']/text()").size() == 3u);
    }
    BOOST_TEST(detail::xpath_compilations() == before);
    sel.xpath("//small/text()");
    BOOST_TEST(detail::xpath_compilations() == before + 1);
}

BOOST_AUTO_TEST_CASE(threads_select_on_their_own_documents_with_their_own_caches) {
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&good] {
            for (int i = 0; i < 20; ++i) {
                const Selector sel = Selector::from_html(testing::quotes_page);
                const bool ok = sel.css(".quote small.author::text").getall().size() == 3 &&
                                sel.xpath("//li[@class='next']/a/@href").get() == "/page/2/" &&
                                sel.css("title::text").re_first("\\w+") == "Quotes";
                if (ok) ++good;
            }
        });
    }
    for (std::thread& t : threads) t.join();
    BOOST_TEST(good.load() == 80);
}

BOOST_AUTO_TEST_CASE(translations_stay_correct_after_the_cache_overflows) {
    const std::string first = css_to_xpath("li.next a::attr(href)");
    for (int i = 0; i < 300; ++i) css_to_xpath(".c" + std::to_string(i));  // overflows the cache
    BOOST_TEST(css_to_xpath("li.next a::attr(href)") == first);
}

BOOST_AUTO_TEST_SUITE_END()
