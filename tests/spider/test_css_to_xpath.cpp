// css_to_xpath: parsel's translations (cssselect's HTMLTranslator plus ::text and ::attr()),
// string for string. Every expected string was produced by parsel 1.7 / cssselect 1.2.
#include "spider/css_to_xpath.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "spider/errors.hpp"

using interloop::spider::css_to_xpath;
using interloop::spider::SelectorSyntaxError;

namespace {
// `.name` as cssselect spells it.
std::string has_class(const std::string& name) {
    return "@class and contains(concat(' ', normalize-space(@class), ' '), ' " + name + " ')";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(css_to_xpath_translation)

BOOST_AUTO_TEST_CASE(type_and_universal_selectors_are_scoped_to_the_context_subtree) {
    BOOST_TEST(css_to_xpath("div") == "descendant-or-self::div");
    BOOST_TEST(css_to_xpath("*") == "descendant-or-self::*");
    BOOST_TEST(css_to_xpath("  a  ") == "descendant-or-self::a");
}

BOOST_AUTO_TEST_CASE(element_names_are_lower_cased_but_class_values_are_not) {
    BOOST_TEST(css_to_xpath("SPAN.text") == "descendant-or-self::span[" + has_class("text") + "]");
    BOOST_TEST(css_to_xpath(".QUOTE") == "descendant-or-self::*[" + has_class("QUOTE") + "]");
    BOOST_TEST(css_to_xpath("[CLASS=text]") == "descendant-or-self::*[@class = 'text']");
}

BOOST_AUTO_TEST_CASE(class_selector_tests_the_space_padded_normalized_class_attribute) {
    BOOST_TEST(css_to_xpath(".quote") == "descendant-or-self::*[" + has_class("quote") + "]");
    BOOST_TEST(css_to_xpath("div.quote") == "descendant-or-self::div[" + has_class("quote") + "]");
    BOOST_TEST(css_to_xpath(".a.b") ==
               "descendant-or-self::*[(" + has_class("a") + ") and (" + has_class("b") + ")]");
}

BOOST_AUTO_TEST_CASE(id_selector_compares_the_id_attribute) {
    BOOST_TEST(css_to_xpath("#main") == "descendant-or-self::*[@id = 'main']");
    BOOST_TEST(css_to_xpath("#1a") == "descendant-or-self::*[@id = '1a']");
    BOOST_TEST(css_to_xpath("#\\#x") == "descendant-or-self::*[@id = '#x']");
}

BOOST_AUTO_TEST_CASE(attribute_selectors_translate_each_operator) {
    BOOST_TEST(css_to_xpath("[itemscope]") == "descendant-or-self::*[@itemscope]");
    BOOST_TEST(css_to_xpath("[itemprop=text]") == "descendant-or-self::*[@itemprop = 'text']");
    BOOST_TEST(css_to_xpath("[itemprop=\"author\"]") ==
               "descendant-or-self::*[@itemprop = 'author']");
    BOOST_TEST(css_to_xpath("[class~=tag]") == "descendant-or-self::*[" + has_class("tag") + "]");
    BOOST_TEST(css_to_xpath("[class^=col]") ==
               "descendant-or-self::*[@class and starts-with(@class, 'col')]");
    BOOST_TEST(css_to_xpath("[class$=box]") ==
               "descendant-or-self::*[@class and substring(@class, string-length(@class)-2) = "
               "'box']");
    BOOST_TEST(css_to_xpath("[class*=ead]") ==
               "descendant-or-self::*[@class and contains(@class, 'ead')]");
    BOOST_TEST(css_to_xpath("[lang|=en]") ==
               "descendant-or-self::*[@lang and (@lang = 'en' or starts-with(@lang, 'en-'))]");
    BOOST_TEST(css_to_xpath("[class!=tag]") ==
               "descendant-or-self::*[not(@class) or @class != 'tag']");
    BOOST_TEST(css_to_xpath("[class!=\"\"]") == "descendant-or-self::*[@class != '']");
}

BOOST_AUTO_TEST_CASE(suffix_match_counts_code_points_not_bytes) {
    BOOST_TEST(css_to_xpath("[title$=\"é\"]") ==
               "descendant-or-self::*[@title and substring(@title, string-length(@title)-0) = "
               "'é']");
    BOOST_TEST(css_to_xpath("[title$=éa]") ==
               "descendant-or-self::*[@title and substring(@title, string-length(@title)-1) = "
               "'éa']");
}

BOOST_AUTO_TEST_CASE(empty_values_that_can_never_match_translate_to_false) {
    BOOST_TEST(css_to_xpath("[class~=\"\"]") == "descendant-or-self::*[0]");
    BOOST_TEST(css_to_xpath("[class^=\"\"]") == "descendant-or-self::*[0]");
    BOOST_TEST(css_to_xpath("[class=\"\"]") == "descendant-or-self::*[@class = '']");
}

BOOST_AUTO_TEST_CASE(string_values_are_quoted_as_xpath_literals_with_concat_for_both_quotes) {
    BOOST_TEST(css_to_xpath("[a=\"it's\"]") == "descendant-or-self::*[@a = \"it's\"]");
    BOOST_TEST(css_to_xpath("[a=\"say \\\"hi\\\"\"]") ==
               "descendant-or-self::*[@a = 'say \"hi\"']");
    BOOST_TEST(css_to_xpath("[a=\"it's \\\"x\\\"\"]") ==
               "descendant-or-self::*[@a = concat('it',\"'\",'s \"x\"')]");
}

BOOST_AUTO_TEST_CASE(css_escapes_and_comments_are_decoded) {
    BOOST_TEST(css_to_xpath("\\61 ") == "descendant-or-self::a");
    BOOST_TEST(css_to_xpath(".\\31 23") == "descendant-or-self::*[" + has_class("123") + "]");
    BOOST_TEST(css_to_xpath("/* c */ a") == "descendant-or-self::a");
}

BOOST_AUTO_TEST_CASE(descendant_and_child_combinators_join_steps) {
    BOOST_TEST(css_to_xpath("h1 a") == "descendant-or-self::h1/descendant-or-self::*/a");
    BOOST_TEST(css_to_xpath("h1 > a") == "descendant-or-self::h1/a");
    BOOST_TEST(css_to_xpath("ul li a span") ==
               "descendant-or-self::ul/descendant-or-self::*/li/descendant-or-self::*/a/"
               "descendant-or-self::*/span");
}

BOOST_AUTO_TEST_CASE(sibling_combinators_use_the_following_sibling_axis) {
    BOOST_TEST(css_to_xpath("span + small") ==
               "descendant-or-self::span/following-sibling::*[(name() = 'small') and "
               "(position() = 1)]");
    BOOST_TEST(css_to_xpath("span ~ div") == "descendant-or-self::span/following-sibling::div");
}

BOOST_AUTO_TEST_CASE(selector_groups_are_joined_as_a_union) {
    BOOST_TEST(css_to_xpath("a, span.text") ==
               "descendant-or-self::a | descendant-or-self::span[" + has_class("text") + "]");
}

BOOST_AUTO_TEST_CASE(structural_pseudo_classes_count_element_siblings) {
    BOOST_TEST(css_to_xpath("span:first-child") ==
               "descendant-or-self::span[count(preceding-sibling::*) = 0]");
    BOOST_TEST(css_to_xpath("a:last-child") ==
               "descendant-or-self::a[count(following-sibling::*) = 0]");
    BOOST_TEST(css_to_xpath("span:only-child") ==
               "descendant-or-self::span[count(parent::*/child::*) = 1]");
}

BOOST_AUTO_TEST_CASE(nth_child_series_follow_cssselect_simplifications) {
    BOOST_TEST(css_to_xpath("li:nth-child(1)") ==
               "descendant-or-self::li[count(preceding-sibling::*) = 0]");
    BOOST_TEST(css_to_xpath("a:nth-child(odd)") ==
               "descendant-or-self::a[count(preceding-sibling::*) mod 2 = 0]");
    BOOST_TEST(css_to_xpath("a:nth-child(2n+1)") == css_to_xpath("a:nth-child(odd)"));
    BOOST_TEST(css_to_xpath("a:nth-child(even)") ==
               "descendant-or-self::a[(count(preceding-sibling::*) +1) mod 2 = 0]");
    BOOST_TEST(css_to_xpath("a:nth-child(-n+3)") ==
               "descendant-or-self::a[count(preceding-sibling::*) <= 2]");
    BOOST_TEST(css_to_xpath("a:nth-child(3n-1)") ==
               "descendant-or-self::a[(count(preceding-sibling::*) +2) mod 3 = 0]");
    BOOST_TEST(css_to_xpath("a:nth-child(+3n+2)") ==
               "descendant-or-self::a[(count(preceding-sibling::*) >= 1) and "
               "((count(preceding-sibling::*) +2) mod 3 = 0)]");
    BOOST_TEST(css_to_xpath("a:nth-child(n)") == "descendant-or-self::a");
    BOOST_TEST(css_to_xpath("a:nth-child(-2n-1)") == "descendant-or-self::a[0]");
    BOOST_TEST(css_to_xpath("a:nth-last-child(2)") ==
               "descendant-or-self::a[count(following-sibling::*) = 1]");
}

BOOST_AUTO_TEST_CASE(negation_wraps_the_inner_conditions_in_not) {
    BOOST_TEST(css_to_xpath("a:not(.tag)") ==
               "descendant-or-self::a[not(" + has_class("tag") + ")]");
    BOOST_TEST(css_to_xpath("div:not([class])") == "descendant-or-self::div[not(@class)]");
    BOOST_TEST(css_to_xpath(":not(*)") == "descendant-or-self::*[0]");
}

BOOST_AUTO_TEST_CASE(text_pseudo_element_selects_child_text_nodes) {
    BOOST_TEST(css_to_xpath("a::text") == "descendant-or-self::a/text()");
    BOOST_TEST(css_to_xpath("a::TEXT") == "descendant-or-self::a/text()");
    BOOST_TEST(css_to_xpath(".quote > span.text::text") == "descendant-or-self::*[" +
                                                               has_class("quote") + "]/span[" +
                                                               has_class("text") + "]/text()");
}

BOOST_AUTO_TEST_CASE(text_pseudo_element_after_a_space_selects_all_descendant_text) {
    BOOST_TEST(css_to_xpath("a ::text") == "descendant-or-self::a/descendant-or-self::text()");
    BOOST_TEST(css_to_xpath("a *::text") == "descendant-or-self::a/descendant-or-self::text()");
    BOOST_TEST(css_to_xpath("::text") == "descendant-or-self::text()");
    BOOST_TEST(css_to_xpath("*::text") == "descendant-or-self::text()");
}

BOOST_AUTO_TEST_CASE(attr_pseudo_element_selects_the_named_attribute) {
    BOOST_TEST(css_to_xpath("a::attr(href)") == "descendant-or-self::a/@href");
    BOOST_TEST(css_to_xpath("a::attr(HREF)") == "descendant-or-self::a/@HREF");
    BOOST_TEST(css_to_xpath("li.next a::attr(href)") ==
               "descendant-or-self::li[" + has_class("next") + "]/descendant-or-self::*/a/@href");
    BOOST_TEST(css_to_xpath("a ::attr(href)") ==
               "descendant-or-self::a/descendant-or-self::*/@href");
    BOOST_TEST(css_to_xpath("::attr(class)") == "descendant-or-self::*/@class");
}

BOOST_AUTO_TEST_CASE(a_star_step_after_a_sibling_step_is_rewritten_as_parsel_does) {
    BOOST_TEST(css_to_xpath("div ~ * > *::text") ==
               "descendant-or-self::div/following-sibling::text()");
    BOOST_TEST(css_to_xpath("div ~ * > *::attr(class)") ==
               "descendant-or-self::div/following-sibling::*/@class");
}

BOOST_AUTO_TEST_CASE(malformed_selectors_raise_selector_syntax_error_naming_them) {
    for (const char* bad : {"",
                            "a[",
                            "a::text b",
                            "::text::text",
                            "a,",
                            ",a",
                            "a >",
                            "a > > b",
                            ".",
                            "[href=1]",
                            "[*=x]",
                            "a/* c */b",
                            "div:nth-child(foo)",
                            "div:nth-child(2n+)",
                            "div:nth-child(\"2\")",
                            "a::attr(1)",
                            "a:not(a b)",
                            "a:not(:not(b))",
                            "a:not(::text)",
                            "[a='open"}) {
        BOOST_CHECK_THROW(css_to_xpath(bad), SelectorSyntaxError);
        try {
            css_to_xpath(bad);
        } catch (const SelectorSyntaxError& e) {
            BOOST_TEST(e.expression() == bad);
            BOOST_TEST(e.language() == "css");
            BOOST_TEST(std::string(e.what()).find(std::string("'") + bad + "'") !=
                       std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(unsupported_features_are_rejected_rather_than_ignored) {
    for (const char* unsupported :
         {"x|a", "a:hover", "a:first-of-type", "a:has(span)", "a::before", "a:first-line",
          "a::attr", "a::text()", "a::value", "a:is(b)"}) {
        BOOST_CHECK_THROW(css_to_xpath(unsupported), SelectorSyntaxError);
    }
}

BOOST_AUTO_TEST_SUITE_END()
