// Broken and hostile input: the tree recovered is lxml's (same libxml2 parser and options as
// parsel), which is also what a browser builds except where noted; encodings are chosen as
// browsers and Scrapy choose them. Nothing here may crash, throw or lose the rest of the page.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "spider/html_document.hpp"
#include "spider/selector.hpp"
#include "tests/spider/selector_fixtures.hpp"

using namespace interloop::spider;
using Strings = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(broken_html)

BOOST_AUTO_TEST_CASE(unclosed_tags_nest_what_follows_inside_them) {
    const Selector sel = Selector::from_html(
        "<div class=quote><span class=text>One<div class=quote><span class=text>Two</span>"
        "<p>para<p>para2<ul><li>a<li>b</ul>");
    BOOST_TEST(sel.css(".quote").size() == 2u);
    BOOST_TEST(sel.css(".quote > span.text::text").getall() == (Strings{"One", "Two"}));
    BOOST_TEST(sel.css(".quote .quote").size() == 1u);
    BOOST_TEST(sel.css("li::text").getall() == (Strings{"a", "b"}));
    BOOST_TEST(sel.css("p::text").getall() == (Strings{"para", "para2"}));
}

BOOST_AUTO_TEST_CASE(missing_html_head_and_body_tags_are_implied) {
    const Selector sel = Selector::from_html("<title>t</title><p>x");
    BOOST_TEST(sel.css("html > head > title::text").get() == "t");
    BOOST_TEST(sel.css("html > body > p::text").get() == "x");
    BOOST_TEST(sel.get() == "<html><head><title>t</title></head><body><p>x</p></body></html>");
}

BOOST_AUTO_TEST_CASE(stray_end_tags_are_ignored) {
    const Selector sel =
        Selector::from_html("<div id=a>x</div></div></span><div id=b>y</p>z</div>");
    BOOST_TEST(sel.css("div").size() == 2u);
    BOOST_TEST(sel.css("#a::text").getall() == (Strings{"x"}));
    // libxml2 drops the stray </p>; a browser would insert an empty <p></p> between y and z.
    BOOST_TEST(sel.css("#b::text").getall() == (Strings{"yz"}));
}

BOOST_AUTO_TEST_CASE(a_p_start_tag_closes_the_open_p) {
    const Selector sel = Selector::from_html("<p>one<p>two<div>three</div>four</p>five");
    BOOST_TEST(sel.css("p").getall() == (Strings{"<p>one</p>", "<p>two</p>"}));
    BOOST_TEST(sel.css("body > div::text").get() == "three");
    BOOST_TEST(sel.css("body::text").getall() == (Strings{"fourfive"}));
}

BOOST_AUTO_TEST_CASE(table_cells_rows_and_options_close_implicitly) {
    const Selector sel = Selector::from_html(
        "<table><tr><td>1<td>2<tr><td>3</table><select><option>a<option selected>b</select>");
    BOOST_TEST(sel.css("tr").size() == 2u);
    BOOST_TEST(sel.css("tr:first-child td::text").getall() == (Strings{"1", "2"}));
    BOOST_TEST(sel.css("option[selected]::text").get() == "b");
}

BOOST_AUTO_TEST_CASE(entities_are_decoded_in_text_and_attributes) {
    const Selector sel = Selector::from_html(
        "<p title='a &amp; b &quot;c&quot;'>&lt;tag&gt; &amp;amp; &copy; &nbsp;x "
        "&#8220;q&#8221; &#x2014; &bogus;</p>");
    BOOST_TEST(sel.css("p::text").get() == "<tag> &amp; © \u00A0x “q” — &bogus;");
    BOOST_TEST(sel.css("p::attr(title)").get() == "a & b \"c\"");
    BOOST_TEST(sel.css("p").get() ==
               "<p title='a &amp; b \"c\"'>&lt;tag&gt; &amp;amp; © \u00A0x “q” — &amp;bogus;</p>");
}

BOOST_AUTO_TEST_CASE(script_and_style_content_is_text_not_markup) {
    const Selector sel = Selector::from_html(
        "<script>var s = \"<p>not a tag</p>\";</script><style>p{}</style><!-- c --><p>x</p>");
    BOOST_TEST(sel.css("script::text").get() == "var s = \"<p>not a tag</p>\";");
    BOOST_TEST(sel.css("p::text").getall() == (Strings{"x"}));
    BOOST_TEST(sel.xpath("//comment()").get() == "<!-- c -->");
}

BOOST_AUTO_TEST_CASE(nul_bytes_are_dropped_instead_of_truncating_the_page) {
    // libxml2 alone stops parsing at a NUL inside an attribute value, losing the rest.
    static constexpr char bytes[] = "<p class=\"a\0b\">te\0xt</p><p>after</p>";
    const std::string body(bytes, sizeof bytes - 1);
    const Selector sel = Selector::from_html(body);
    BOOST_TEST(sel.css("p::attr(class)").getall() == (Strings{"ab"}));
    BOOST_TEST(sel.css("p::text").getall() == (Strings{"text", "after"}));
}

BOOST_AUTO_TEST_CASE(undeclared_non_utf8_bytes_are_read_as_windows_1252) {
    const auto doc = HtmlDocument::parse("<p class=\"caf\xE9\">caf\xE9 \x93quoted\x94</p>");
    BOOST_TEST(doc->encoding() == "windows-1252");
    const Selector sel(doc);
    BOOST_TEST(sel.css("p::text").get() == "café “quoted”");
    BOOST_TEST(sel.css(".café").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_declared_latin1_charset_means_windows_1252) {
    const std::string body = "<p>caf\xE9 \x93q\x94</p>";
    const auto by_header = HtmlDocument::parse(body, "", "ISO-8859-1");
    BOOST_TEST(by_header->encoding() == "windows-1252");
    BOOST_TEST(Selector(by_header).css("p::text").get() == "café “q”");
    const auto by_meta = HtmlDocument::parse(
        "<head><meta http-equiv=Content-Type content='text/html; charset=latin1'></head>" + body);
    BOOST_TEST(by_meta->encoding() == "windows-1252");
    BOOST_TEST(Selector(by_meta).css("p::text").get() == "café “q”");
}

BOOST_AUTO_TEST_CASE(malformed_utf8_becomes_replacement_characters_not_a_truncated_page) {
    const auto doc = HtmlDocument::parse("<p>caf\xE9 ok</p><p>next</p>", "", "utf-8");
    BOOST_TEST(doc->encoding() == "utf-8");
    BOOST_TEST(Selector(doc).css("p::text").getall() == (Strings{"caf\uFFFD ok", "next"}));
}

BOOST_AUTO_TEST_CASE(the_header_charset_wins_over_meta_and_a_bom_wins_over_both) {
    // "日本" in Shift_JIS, declared by the transport; the <meta> says otherwise.
    const std::string sjis = "<meta charset=utf-8><p>\x93\xFA\x96\x7B</p>";
    const auto doc = HtmlDocument::parse(sjis, "", "Shift_JIS");
    BOOST_TEST(doc->encoding() == "shift_jis");
    BOOST_TEST(Selector(doc).css("p::text").get() == "日本");
    static constexpr char utf16_bytes[] = "\xFF\xFE<\0p\0>\0\xE9\0<\0/\0p\0>\0";
    const std::string utf16(utf16_bytes, sizeof utf16_bytes - 1);
    const auto bom = HtmlDocument::parse(utf16, "", "windows-1252");
    BOOST_TEST(bom->encoding() == "utf-16le");
    BOOST_TEST(Selector(bom).css("p::text").get() == "é");
}

BOOST_AUTO_TEST_CASE(a_meta_charset_does_not_re_decode_a_utf8_body_declared_by_the_header) {
    const auto doc = HtmlDocument::parse("<meta charset=iso-8859-1><p>café</p>", "", "utf-8");
    BOOST_TEST(Selector(doc).css("p::text").get() == "café");
}

BOOST_AUTO_TEST_CASE(unknown_charset_labels_are_skipped) {
    const auto doc =
        HtmlDocument::parse("<meta charset=no-such-charset><p>café</p>", "", "x-bogus");
    BOOST_TEST(doc->encoding() == "utf-8");
    BOOST_TEST(Selector(doc).css("p::text").get() == "café");
}

BOOST_AUTO_TEST_CASE(an_empty_body_gives_a_document_that_selects_nothing) {
    for (const char* body : {"", "   \n\t ", "<!-- only a comment -->"}) {
        const auto doc = HtmlDocument::parse(body, "http://example.com/");
        BOOST_TEST(doc->xml_doc() != nullptr);
        BOOST_TEST(doc->base_url() == "http://example.com/");
        const Selector sel(doc);
        BOOST_TEST(sel.css("*").empty());
        BOOST_TEST(sel.css("::text").empty());
        BOOST_TEST(sel.xpath("//*").empty());
        BOOST_TEST(sel.xpath("count(//*)").get() == "0.0");
    }
    BOOST_TEST(Selector::from_html("").get().find('<') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_two_megabyte_page_is_parsed_whole) {
    std::string body = "<html><body>";
    int quotes = 0;
    while (body.size() < 2 * 1024 * 1024) {
        ++quotes;
        body += fmt::format(
            "<div class=\"quote\"><span class=\"text\">Quote number {0} is here.</span> by "
            "<small class=\"author\">Author {0}</small> <a href=\"/author/{0}\">(about)</a>"
            "<div class=\"tags\"><a class=\"tag\" href=\"/tag/t{0}/\">t{0}</a></div></div>\n",
            quotes);
    }
    const Selector sel = Selector::from_html(body);  // no closing tags at the end
    const SelectorList found = sel.css(".quote");
    BOOST_TEST(found.size() == static_cast<std::size_t>(quotes));
    BOOST_TEST(found[found.size() - 1].css("small.author::text").get() ==
               fmt::format("Author {}", quotes));
    BOOST_TEST(sel.css("a::attr(href)").size() == static_cast<std::size_t>(2 * quotes));
    BOOST_TEST(sel.xpath("count(//div[@class='quote'])").get() == fmt::format("{}.0", quotes));
}

BOOST_AUTO_TEST_CASE(thousands_of_unclosed_tags_keep_the_content_after_them) {
    // libxml2 without XML_PARSE_HUGE stops at 256 open elements and drops the rest.
    std::string body;
    for (int i = 0; i < 5000; ++i) body += "<div><font>";
    body += "<p class=deep>found</p>";
    const Selector sel = Selector::from_html(body);
    BOOST_TEST(sel.css("p.deep::text").get() == "found");
    BOOST_TEST(sel.css("div div div > font > p::text").get() == "found");
    BOOST_TEST(sel.xpath("count(//div)").get() == "5000.0");
}

BOOST_AUTO_TEST_SUITE_END()
