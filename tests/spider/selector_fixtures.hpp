#pragma once
// Pages for the selector tests, and printing of optional strings for BOOST_TEST: a
// quotes.toscrape.com-shaped listing page (its real markup, quirks included: itemscope without a
// value, a `/    >` tag end, `&rarr;`, curly quotes).

#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "spider/selector.hpp"

// Lets BOOST_TEST print the std::optional<std::string> that SelectorList::get() returns.
namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<std::optional<std::string>> {
    void operator()(std::ostream& os, const std::optional<std::string>& v) {
        if (v) {
            os << '"' << *v << '"';
        } else {
            os << "nullopt";
        }
    }
};
}  // namespace boost::test_tools::tt_detail

namespace interloop::spider {
/// For BOOST_TEST messages.
inline std::ostream& operator<<(std::ostream& os, SelectorKind kind) {
    static constexpr const char* names[] = {"node", "text", "attribute", "value"};
    return os << names[static_cast<int>(kind)];
}
}  // namespace interloop::spider

namespace interloop::spider::testing {

inline constexpr std::string_view quotes_page = R"(<!DOCTYPE html>
<html lang="en">
<head>
	<meta charset="UTF-8">
	<title>Quotes to Scrape</title>
    <link rel="stylesheet" href="/static/bootstrap.min.css">
</head>
<body>
    <div class="container">
        <div class="row header-box">
            <div class="col-md-8">
                <h1>
                    <a href="/" style="text-decoration: none">Quotes to Scrape</a>
                </h1>
            </div>
            <div class="col-md-4">
                <p>
                    <a href="/login">Login</a>
                </p>
            </div>
        </div>
    <div class="row">
    <div class="col-md-8">
    <div class="quote" itemscope itemtype="http://schema.org/CreativeWork">
        <span class="text" itemprop="text">“The world as we have created it is a process of our thinking.”</span>
        <span>by <small class="author" itemprop="author">Albert Einstein</small>
        <a href="/author/Albert-Einstein">(about)</a>
        </span>
        <div class="tags">
            Tags:
            <meta class="keywords" itemprop="keywords" content="change,deep-thoughts" /    >
            <a class="tag" href="/tag/change/page/1/">change</a>
            <a class="tag" href="/tag/deep-thoughts/page/1/">deep-thoughts</a>
        </div>
    </div>
    <div class="quote" itemscope itemtype="http://schema.org/CreativeWork">
        <span class="text" itemprop="text">“It is our choices, Harry, that show what we truly are.”</span>
        <span>by <small class="author" itemprop="author">J.K. Rowling</small>
        <a href="/author/J-K-Rowling">(about)</a>
        </span>
        <div class="tags">
            Tags:
            <meta class="keywords" itemprop="keywords" content="abilities,choices" /    >
            <a class="tag" href="/tag/abilities/page/1/">abilities</a>
            <a class="tag" href="/tag/choices/page/1/">choices</a>
        </div>
    </div>
    <div class="quote" itemscope itemtype="http://schema.org/CreativeWork">
        <span class="text" itemprop="text">“A day without sunshine is like, you know, night.”</span>
        <span>by <small class="author" itemprop="author">Steve Martin</small>
        <a href="/author/Steve-Martin">(about)</a>
        </span>
        <div class="tags">
            Tags:
            <meta class="keywords" itemprop="keywords" content="humor" /    >
            <a class="tag" href="/tag/humor/page/1/">humor</a>
        </div>
    </div>
    <nav>
        <ul class="pager">
            <li class="next">
                <a href="/page/2/">Next <span aria-hidden="true">&rarr;</span></a>
            </li>
        </ul>
    </nav>
    </div>
    <div class="col-md-4 tags-box">
        <h2>Top Ten tags</h2>
        <span class="tag-item">
        <a class="tag" style="font-size: 28px" href="/tag/love/">love</a>
        </span>
        <span class="tag-item">
        <a class="tag" style="font-size: 26px" href="/tag/inspirational/">inspirational</a>
        </span>
    </div>
</div>
    </div>
    <footer class="footer">
        <div class="container">
            <p class="text-muted">
                Quotes by: <a href="https://www.goodreads.com/quotes">GoodReads.com</a>
            </p>
            <p class="copyright">
                Made with <span class='zyte'>&#10084;</span> by <a class='zyte' href="https://www.zyte.com">Zyte</a>
            </p>
        </div>
    </footer>
</body>
</html>
)";

}  // namespace interloop::spider::testing
