// Selector and SelectorList on a quotes.toscrape.com-shaped page: extraction, chaining, get
// defaults, attributes, re(), XPath values and errors. Expected values are parsel 1.7's.
#include "spider/selector.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/spider/selector_fixtures.hpp"

using namespace interloop::spider;
using interloop::spider::testing::quotes_page;
using Strings = std::vector<std::string>;

namespace {
Selector page() {
    return Selector::from_html(quotes_page, "http://quotes.example/page/1/");
}
}  // namespace

BOOST_AUTO_TEST_SUITE(selector)

BOOST_AUTO_TEST_CASE(css_extracts_every_quote_with_its_text_author_and_tags) {
    struct Quote {
        std::string text, author;
        Strings tags;
    };
    std::vector<Quote> quotes;
    for (const Selector& q : page().css(".quote")) {
        quotes.push_back({q.css("span.text::text").get(""), q.css("small.author::text").get(""),
                          q.css("a.tag::text").getall()});
    }
    BOOST_TEST_REQUIRE(quotes.size() == 3u);
    BOOST_TEST(quotes[0].text == "“The world as we have created it is a process of our thinking.”");
    BOOST_TEST(quotes[0].author == "Albert Einstein");
    BOOST_TEST(quotes[0].tags == (Strings{"change", "deep-thoughts"}));
    BOOST_TEST(quotes[1].author == "J.K. Rowling");
    BOOST_TEST(quotes[1].tags == (Strings{"abilities", "choices"}));
    BOOST_TEST(quotes[2].text == "“A day without sunshine is like, you know, night.”");
    BOOST_TEST(quotes[2].tags == (Strings{"humor"}));
}

BOOST_AUTO_TEST_CASE(attr_pseudo_element_extracts_pagination_and_author_links) {
    const Selector sel = page();
    BOOST_TEST(sel.css("li.next a::attr(href)").get() == "/page/2/");
    BOOST_TEST(sel.css(".quote .author + a::attr(href)").getall() ==
               (Strings{"/author/Albert-Einstein", "/author/J-K-Rowling", "/author/Steve-Martin"}));
    const Strings links = sel.css("a::attr(href)").getall();
    BOOST_TEST(links.size() == 15u);
    BOOST_TEST(links.front() == "/");
    BOOST_TEST(links.back() == "https://www.zyte.com");
}

BOOST_AUTO_TEST_CASE(chained_selection_is_scoped_to_each_selected_node) {
    const SelectorList quotes = page().css(".quote");
    BOOST_TEST(
        quotes[0].xpath(".//a/@href").getall() ==
        (Strings{"/author/Albert-Einstein", "/tag/change/page/1/", "/tag/deep-thoughts/page/1/"}));
    BOOST_TEST(quotes[2].css("a").size() == 2u);
    // parsel's descendant-or-self:: prefix: the context node itself can match.
    BOOST_TEST(quotes[1].css(".quote").size() == 1u);
    BOOST_TEST(quotes[1].css("body .quote").empty());
    // A list maps the selection over its items and concatenates.
    BOOST_TEST(quotes.css("small.author::text").getall() ==
               (Strings{"Albert Einstein", "J.K. Rowling", "Steve Martin"}));
    BOOST_TEST(quotes.xpath("./span/small/text()").getall() ==
               quotes.css("small.author::text").getall());
}

BOOST_AUTO_TEST_CASE(selectors_keep_their_document_alive_after_the_root_is_gone) {
    SelectorList authors;
    {
        const Selector root = page();
        authors = root.css("small.author");
    }
    BOOST_TEST(authors.size() == 3u);
    BOOST_TEST(authors[1].css("::text").get() == "J.K. Rowling");
    BOOST_TEST(authors[1].document()->base_url() == "http://quotes.example/page/1/");
}

BOOST_AUTO_TEST_CASE(get_serializes_elements_as_outer_html_and_text_as_its_value) {
    const Selector sel = page();
    BOOST_TEST(sel.css("li.next a").get() ==
               "<a href=\"/page/2/\">Next <span aria-hidden=\"true\">→</span></a>");
    BOOST_TEST(sel.css("li.next a ::text").getall() == (Strings{"Next ", "→"}));
    BOOST_TEST(sel.css("li.next a::text").getall() == (Strings{"Next "}));
    BOOST_TEST(sel.css("title::text").get() == "Quotes to Scrape");
    BOOST_TEST(
        sel.css(".quote .tags").get() ==
        "<div class=\"tags\">\n            Tags:\n            <meta class=\"keywords\" "
        "itemprop=\"keywords\" content=\"change,deep-thoughts\">\n            <a "
        "class=\"tag\" href=\"/tag/change/page/1/\">change</a>\n            <a "
        "class=\"tag\" href=\"/tag/deep-thoughts/page/1/\">deep-thoughts</a>\n        </div>");
    BOOST_TEST(sel.css(".zyte::text").getall() == (Strings{"❤", "Zyte"}));
}

BOOST_AUTO_TEST_CASE(get_returns_the_default_or_nothing_for_an_empty_list) {
    const Selector sel = page();
    BOOST_TEST(!sel.css("li.previous a::attr(href)").get().has_value());
    BOOST_TEST(sel.css("li.previous a::attr(href)").get("none") == "none");
    BOOST_TEST(sel.css("li.next a::attr(href)").get("none") == "/page/2/");
    BOOST_TEST(sel.css("li.previous a").getall().empty());
    BOOST_TEST(sel.css("title").getall() == (Strings{"<title>Quotes to Scrape</title>"}));
}

BOOST_AUTO_TEST_CASE(attrib_reads_one_attribute_and_attributes_reads_all_in_order) {
    const Selector sel = page();
    BOOST_TEST(sel.css("a.tag").attrib("href") ==
               std::optional<std::string>("/tag/change/page/1/"));
    BOOST_TEST(!sel.css("a.tag").attrib("title").has_value());
    BOOST_TEST(!sel.css("nothing").attrib("href").has_value());
    const auto attributes = sel.css(".quote").attributes();
    BOOST_TEST_REQUIRE(attributes.size() == 3u);
    BOOST_TEST(attributes[0].first == "class");
    BOOST_TEST(attributes[0].second == "quote");
    BOOST_TEST(attributes[1].first == "itemscope");
    BOOST_TEST(attributes[1].second == "");
    BOOST_TEST(attributes[2].first == "itemtype");
    BOOST_TEST(attributes[2].second == "http://schema.org/CreativeWork");
    BOOST_TEST(!sel.css("title::text")[0].attrib("class").has_value());
}

BOOST_AUTO_TEST_CASE(re_returns_whole_matches_without_groups_and_group_values_with_them) {
    const Selector sel = page();
    BOOST_TEST(sel.xpath("//title/text()").re("\\w+") == (Strings{"Quotes", "to", "Scrape"}));
    BOOST_TEST(sel.css(".quote small.author::text").re("(\\w+)\\s(\\w+)") ==
               (Strings{"Albert", "Einstein", "Steve", "Martin"}));
    BOOST_TEST(sel.css(".quote").re("“(.*?)”") ==
               (Strings{"The world as we have created it is a process of our thinking.",
                        "It is our choices, Harry, that show what we truly are.",
                        "A day without sunshine is like, you know, night."}));
    // Character classes and '.' see characters, not UTF-8 bytes.
    BOOST_TEST(sel.css("span.text::text").re("“([^”]+)”").size() == 3u);
    BOOST_TEST(sel.css(".zyte::text").re("^.$") == (Strings{"❤"}));
}

BOOST_AUTO_TEST_CASE(re_first_returns_the_first_match_or_the_default) {
    const Selector sel = page();
    BOOST_TEST(sel.css(".quote small.author::text").re_first("(\\w+)\\s(\\w+)") ==
               std::optional<std::string>("Albert"));
    BOOST_TEST(sel.css(".quote span.text::text").re_first("[A-Z]\\w+") ==
               std::optional<std::string>("The"));
    BOOST_TEST(!sel.css("title::text").re_first("\\d+").has_value());
    BOOST_TEST(sel.css("title::text").re_first("\\d+", "0") == "0");
    BOOST_TEST(sel.css("title::text")[0].re_first("Q\\w+", "none") == "Quotes");
}

BOOST_AUTO_TEST_CASE(re_on_html_decodes_entities_except_lt_and_amp_unless_told_not_to) {
    const Selector doc =
        Selector::from_html("<p title='x'>AT&amp;T &lt;b&gt; &quot;q&quot; &#8364;5 &bogus;</p>");
    BOOST_TEST(doc.css("p").re("<p[^>]*>(.*)</p>") ==
               (Strings{"AT&amp;T &lt;b> \"q\" €5 &amp;bogus;"}));
    BOOST_TEST(doc.css("p").re("<p[^>]*>(.*)</p>", Entities::keep) ==
               (Strings{"AT&amp;T &lt;b&gt; \"q\" €5 &amp;bogus;"}));
    BOOST_TEST(
        Selector::from_html("<p>&amp;copy; &amp;#65; &amp;apos;</p>").css("p::text").re(".+") ==
        (Strings{"© A "}));
}

BOOST_AUTO_TEST_CASE(re_supports_python_named_groups_and_the_extract_group) {
    const Selector sel = page();
    BOOST_TEST(sel.css("li.next a::attr(href)").re("/page/(?P<n>\\d+)/") == (Strings{"2"}));
    // Only the first match of each item: one tag per quote, where a plain group gives all.
    BOOST_TEST(sel.css(".quote").re("/tag/(?P<extract>[a-z-]+)/") ==
               (Strings{"change", "abilities", "humor"}));
    BOOST_TEST(sel.css(".quote").re("/tag/([a-z-]+)/").size() == 5u);
    BOOST_TEST(sel.css("a::attr(href)").re("/tag/(?P<extract>[a-z-]+)/(?P=extract)").empty());
}

BOOST_AUTO_TEST_CASE(re_follows_python_defaults_for_dot_and_anchors) {
    const Selector text = Selector::from_html("<pre>one\ntwo</pre>").css("pre::text")[0];
    BOOST_TEST(text.re("o.+") == (Strings{"one"}));
    BOOST_TEST(text.re("(?s)o.+") == (Strings{"one\ntwo"}));
    BOOST_TEST(text.re("^t\\w+").empty());
    BOOST_TEST(text.re("(\\w)(x)?\\n") == (Strings{"e", ""}));
}

BOOST_AUTO_TEST_CASE(re_handles_a_lazy_match_across_a_hundred_kilobyte_script) {
    const std::string script = "var data = {" + std::string(100000, 'x') + "};";
    const Selector doc = Selector::from_html("<script>" + script + "</script>");
    const Strings found = doc.css("script::text").re("var data = (\\{.*?\\});");
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].size() == 100002u);
}

BOOST_AUTO_TEST_CASE(xpath_values_are_printed_as_parsel_prints_them) {
    const Selector sel = page();
    BOOST_TEST(sel.xpath("count(//a)").get() == "15.0");
    BOOST_TEST(sel.xpath("1 div 3").get() == "0.3333333333333333");
    BOOST_TEST(sel.xpath("count(//div[@class='quote']) > 2").get() == "1");
    BOOST_TEST(sel.xpath("1 = 2").get() == "0");
    BOOST_TEST(sel.xpath("string(//title)").get() == "Quotes to Scrape");
    BOOST_TEST(sel.xpath("string(//title)")[0].kind() == SelectorKind::value);
    BOOST_TEST(sel.xpath("100000000 * 100000000").get() == "1e+16");
    BOOST_TEST(sel.xpath("0 div 0").get() == "nan");
    BOOST_TEST(sel.xpath("//meta/@content").getall() ==
               (Strings{"change,deep-thoughts", "abilities,choices", "humor"}));
}

BOOST_AUTO_TEST_CASE(the_root_selector_is_the_root_element) {
    const Selector sel = page();
    BOOST_TEST(sel.kind() == SelectorKind::node);
    BOOST_TEST(sel.xpath("name(.)").get() == "html");
    BOOST_TEST(sel.css("html").size() == 1u);
    BOOST_TEST(sel.get().starts_with("<html lang=\"en\">\n<head>\n\t<meta charset=\"UTF-8\">"));
}

BOOST_AUTO_TEST_CASE(text_attribute_and_value_selectors_select_nothing_further) {
    const Selector sel = page();
    const Selector text = sel.css("title::text")[0];
    const Selector attribute = sel.css("a::attr(href)")[0];
    BOOST_TEST(text.kind() == SelectorKind::text);
    BOOST_TEST(attribute.kind() == SelectorKind::attribute);
    BOOST_TEST(text.css("*").empty());
    BOOST_TEST(text.xpath(".").empty());
    BOOST_TEST(attribute.css("::text").empty());
    BOOST_TEST(sel.xpath("string(//title)")[0].xpath("//a").empty());
}

BOOST_AUTO_TEST_CASE(malformed_xpath_raises_selector_syntax_error_naming_the_expression) {
    const Selector sel = page();
    for (const char* bad : {"//a[", "//a[@href=]", "", "count(", "//a/@", "///"}) {
        try {
            sel.xpath(bad);
            BOOST_ERROR("no error for " << bad);
        } catch (const SelectorSyntaxError& e) {
            BOOST_TEST(e.language() == "xpath");
            BOOST_TEST(e.expression() == bad);
            BOOST_TEST(std::string(e.what()).find(std::string("'") + bad + "'") !=
                       std::string::npos);
        }
    }
    BOOST_CHECK_THROW(sel.xpath("unknown-function(//a)"), SelectorSyntaxError);
    BOOST_CHECK_THROW(sel.xpath("//a[foo()]"), SelectorSyntaxError);
    BOOST_CHECK_THROW(sel.css(".quote").xpath("//a["), SelectorSyntaxError);
}

BOOST_AUTO_TEST_CASE(malformed_css_and_regex_raise_selector_syntax_error) {
    const Selector sel = page();
    BOOST_CHECK_THROW(sel.css("a["), SelectorSyntaxError);
    BOOST_CHECK_THROW(sel.css(".quote").css("a:hover"), SelectorSyntaxError);
    try {
        sel.css("title::text").re("(unclosed");
        BOOST_ERROR("no error");
    } catch (const SelectorSyntaxError& e) {
        BOOST_TEST(e.language() == "regex");
        BOOST_TEST(e.expression() == "(unclosed");
    }
    // An attribute name that is no XPath name is judged by libxml2, as parsel lets lxml judge it.
    BOOST_CHECK_THROW(sel.css("a::attr(\"x y\")"), SelectorSyntaxError);
    BOOST_CHECK_THROW(sel.css("a::attr(\"1x\")"), SelectorSyntaxError);
    BOOST_TEST(sel.css("html::attr(\"xml:lang\")").empty());  // a valid XPath name
}

BOOST_AUTO_TEST_SUITE_END()
