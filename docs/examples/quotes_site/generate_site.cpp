// generate_site: writes a generated quotes site to a directory, as nginx (or any static file
// server) serves it, with its manifest.json.
//
// Usage: generate_site --pages N --out DIR [--seed S] [site options]

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "docs/examples/quotes_site/cli.hpp"
#include "docs/examples/quotes_site/site.hpp"

namespace {

void usage(std::FILE* to) {
    fmt::print(to, "usage: generate_site --pages N --out DIR [options]\n{}",
               interloop::examples::cli::spec_usage);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace interloop::examples;
    SiteSpec spec;
    std::filesystem::path out;
    try {
        cli::parse(argc, argv, spec, [&](std::string_view name, const auto& value) {
            if (name == "--out") {
                out = std::string(value());
                return true;
            }
            if (name == "--help" || name == "-h") {
                usage(stdout);
                std::exit(0);
            }
            return false;
        });
        if (out.empty()) throw std::invalid_argument("--out DIR is required");

        const auto start = std::chrono::steady_clock::now();
        const Site site = generate_site(spec);
        const auto generated = std::chrono::steady_clock::now();
        write_site(site, out);
        const auto written = std::chrono::steady_clock::now();

        using ms = std::chrono::duration<double, std::milli>;
        const ManifestCounts& c = site.manifest.counts;
        fmt::print(
            "{}: {} pages ({} reachable from /, {} listing, {} tag, {} author), {} quotes, "
            "{} linked 404s, {} duplicate links, {:.1f} MB reachable\n",
            out.string(), c.pages_in_site, c.reachable_pages, c.listing_pages, c.tag_pages,
            c.author_pages, c.quotes, c.not_found, c.duplicate_links,
            static_cast<double>(c.reachable_bytes) / 1e6);
        fmt::print("generated in {:.0f} ms, written in {:.0f} ms; manifest: {}\n",
                   ms(generated - start).count(), ms(written - generated).count(),
                   (out / "manifest.json").string());
        return 0;
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "generate_site: {}\n", e.what());
        usage(stderr);
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "generate_site: {}\n", e.what());
        return 1;
    }
}
