#pragma once
// Command-line parsing shared by generate_site and serve_site (not part of the library).

#include <charconv>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "docs/examples/quotes_site/site.hpp"

namespace interloop::examples::cli {

/// The site options both programs take, for their usage text.
inline constexpr std::string_view spec_usage =
    "  --pages N                 listing pages (default 10)\n"
    "  --seed S                  generator seed (default 1)\n"
    "  --quotes-per-page N       (default 10)\n"
    "  --authors N               (default 50)\n"
    "  --tags N                  (default 40)\n"
    "  --tag-page-size N         quote references per tag page (default 20)\n"
    "  --broken N                links to missing pages per page (default 1)\n"
    "  --duplicates N            repeated links per page (default 2)\n"
    "  --no-offsite              no footer link to http://offsite.invalid/\n";

/// `text` as a number of type T; throws std::invalid_argument naming `option` otherwise.
template <class T>
T number(std::string_view option, std::string_view text) {
    T value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        throw std::invalid_argument(std::string(option) + ": not a number: " + std::string(text));
    return value;
}

/// Walks argv: site options go into `spec`; any other option is offered to `other(name,
/// next_value)`, which returns false if it does not know it. `next_value()` consumes and
/// returns the following argument. Throws std::invalid_argument on a bad command line.
inline void parse(
    int argc, char** argv, SiteSpec& spec,
    const std::function<bool(std::string_view, const std::function<std::string_view()>&)>& other) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(name) + " needs a value");
            return argv[++i];
        };
        if (name == "--pages")
            spec.pages = number<int>(name, value());
        else if (name == "--seed")
            spec.seed = number<std::uint64_t>(name, value());
        else if (name == "--quotes-per-page")
            spec.quotes_per_page = number<int>(name, value());
        else if (name == "--authors")
            spec.authors = number<int>(name, value());
        else if (name == "--tags")
            spec.tags = number<int>(name, value());
        else if (name == "--tag-page-size")
            spec.tag_page_size = number<int>(name, value());
        else if (name == "--broken")
            spec.broken_links_per_page = number<int>(name, value());
        else if (name == "--duplicates")
            spec.duplicate_links_per_page = number<int>(name, value());
        else if (name == "--no-offsite")
            spec.offsite_link = false;
        else if (!other(name, value))
            throw std::invalid_argument("unknown option " + std::string(name));
    }
}

}  // namespace interloop::examples::cli
