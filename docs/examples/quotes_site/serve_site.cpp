// serve_site: serves a generated quotes site on 127.0.0.1 until SIGINT or SIGTERM, for pointing
// any crawler at it.
//
// Usage: serve_site [--pages N] [--port P] [--delay MS] [--gzip] [site options]

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <exception>

#include "docs/examples/quotes_site/cli.hpp"
#include "docs/examples/quotes_site/site.hpp"
#include "docs/examples/quotes_site/site_server.hpp"

namespace {

void usage(std::FILE* to) {
    fmt::print(to,
               "usage: serve_site [options]\n"
               "  --port P                  port on 127.0.0.1 (default: any free port)\n"
               "  --delay MS                wait before every reply (default 0)\n"
               "  --gzip                    gzip replies to clients that accept it\n{}",
               interloop::examples::cli::spec_usage);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace interloop::examples;
    SiteSpec spec;
    SiteServerOptions options;
    try {
        cli::parse(argc, argv, spec, [&](std::string_view name, const auto& value) {
            if (name == "--port")
                options.port = cli::number<unsigned short>(name, value());
            else if (name == "--delay")
                options.delay = std::chrono::milliseconds(cli::number<int>(name, value()));
            else if (name == "--gzip")
                options.gzip = true;
            else if (name == "--help" || name == "-h") {
                usage(stdout);
                std::exit(0);
            } else
                return false;
            return true;
        });

        const Site site = generate_site(spec);
        // Block the signals before the server thread starts (it inherits the mask), then
        // wait for one on this thread.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        SiteServer server(site, options);
        server.start();
        const ManifestCounts& c = site.manifest.counts;
        fmt::print("serving {} pages ({} reachable from /, {} quotes, {} linked 404s) at {}\n",
                   c.pages_in_site, c.reachable_pages, c.quotes, c.not_found, server.url("/"));
        fmt::print("press Ctrl-C to stop\n");
        std::fflush(stdout);

        int signal = 0;
        sigwait(&signals, &signal);
        server.stop();
        fmt::print("\nstopped: {} requests on {} connections (at most {} at once)\n",
                   server.requests(), server.connections(), server.max_concurrent_connections());
        return 0;
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "serve_site: {}\n", e.what());
        usage(stderr);
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "serve_site: {}\n", e.what());
        return 1;
    }
}
