// The crawl command line: option parsing and a libevent reactor around one Crawler.

#include "spider/crawl_command.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "reactor/libevent_reactor.hpp"
#include "reactor/log.hpp"
#include "reactor/react.hpp"

namespace interloop::spider {
namespace {

std::string_view value_of(std::span<char* const> arguments, std::size_t& i) {
    if (i + 1 >= arguments.size())
        throw std::invalid_argument(fmt::format("option {} needs a value", arguments[i]));
    return arguments[++i];
}

void add_feed(Settings& settings, std::string_view file) {
    std::string feeds = settings.get("FEEDS");
    settings.set("FEEDS", feeds.empty() ? std::string(file) : feeds + "," + std::string(file));
}

}  // namespace

CrawlOptions parse_crawl_options(std::span<char* const> arguments) {
    CrawlOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string_view arg = arguments[i];
        if (arg == "-h" || arg == "--help") {
            options.help = true;
        } else if (arg == "-o" || arg == "-O" || arg == "--output") {
            add_feed(options.settings, value_of(arguments, i));
        } else if (arg == "-s" || arg == "--set") {
            options.settings.set_from_argument(value_of(arguments, i));
        } else if (arg == "-L" || arg == "--loglevel") {
            options.settings.set("LOG_LEVEL", value_of(arguments, i));
        } else if (arg == "--nolog") {
            options.settings.set("LOG_LEVEL", "ERROR");
        } else if (arg.size() > 1 && arg.front() == '-') {
            throw std::invalid_argument(fmt::format("unknown option {}", arg));
        } else {
            options.urls.emplace_back(arg);
        }
    }
    return options;
}

std::string crawl_usage(std::string_view program) {
    return fmt::format(
        "usage: {} [URL ...] [-o FILE] [-s NAME=VALUE] [-L LEVEL]\n"
        "  -o, -O FILE      write items to FILE (.jsonl, .json or .csv); repeatable\n"
        "  -s NAME=VALUE    set a setting (Scrapy names: CONCURRENT_REQUESTS, DEPTH_LIMIT, ...)\n"
        "  -L LEVEL         log level: DEBUG, INFO (default), WARNING, ERROR\n"
        "  --nolog          log errors only\n",
        program);
}

void apply_log_level(const Settings& settings) {
    std::string level = settings.get("LOG_LEVEL", "INFO");
    for (auto candidate : {log::Level::debug, log::Level::info, log::Level::warning,
                           log::Level::error, log::Level::critical}) {
        if (level == log::level_name(candidate)) return log::set_level(candidate);
    }
    throw SettingsError(fmt::format(
        "setting LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got '{}'", level));
}

int run_crawl(Spider& spider, const Settings& settings,
              const std::function<void(Crawler&)>& setup) {
    if (settings.contains("LOG_LEVEL")) apply_log_level(settings);
    LibeventReactor reactor;
    std::unique_ptr<Crawler> crawler;
    int code = react(reactor, [&](Reactor&) -> Deferred<void> {
        crawler = std::make_unique<Crawler>(reactor, spider, settings);
        if (setup) setup(*crawler);
        Deferred<void> done;
        // SIGINT/SIGTERM stop the reactor gracefully: close the spider first, and let the
        // stop wait until it has closed (a second signal crashes the loop instead).
        reactor.add_shutdown_trigger([&crawler, done]() mutable -> Deferred<void> {
            if (done.called()) return succeed();
            crawler->close_spider("shutdown");
            return done.add_callback([] {});
        });
        crawler->crawl().add_callback([done](const std::string&) mutable { done.callback(); });
        return done;
    });
    crawler.reset();  // on the reactor's thread, before the reactor
    return code;
}

}  // namespace interloop::spider
