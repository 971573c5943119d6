#pragma once
// Helpers for the downloader tests on real reactors: run until fetches finish, inspect results.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <vector>

#include "reactor/deferred.hpp"
#include "spider/downloader.hpp"
#include "tests/reactor/reactor_testing.hpp"

namespace interloop::testing {

using Results = std::vector<Outcome<spider::Response>>;
using spider::Downloader;
using spider::DownloadError;
using spider::DownloadErrorReason;
using spider::DownloaderSettings;
using spider::Request;
using spider::Response;

/// Runs the reactor until every Deferred has fired (a watchdog fails the test after `limit`).
inline Results await_all(Reactor& reactor, std::vector<Deferred<Response>> deferreds,
                         Duration limit = std::chrono::seconds(10)) {
    std::vector<std::optional<Outcome<Response>>> outcomes(deferreds.size());
    std::size_t left = deferreds.size();
    for (std::size_t i = 0; i < deferreds.size(); ++i) {
        deferreds[i].add_both([&, i](Outcome<Response> outcome) {
            outcomes[i].emplace(std::move(outcome));
            if (--left == 0 && reactor.running()) reactor.stop();
        });
    }
    if (left > 0) run_guarded(reactor, limit);
    Results results;
    for (auto& outcome : outcomes) {
        BOOST_REQUIRE_MESSAGE(outcome.has_value(), "a fetch did not finish");
        results.push_back(std::move(*outcome));
    }
    return results;
}

/// Fetches one request and runs the reactor until it is done.
inline Outcome<Response> fetch_one(Reactor& reactor, Downloader& downloader, Request request) {
    return std::move(await_all(reactor, {downloader.fetch(std::move(request))}).front());
}

/// The reason of a failed fetch (fails the test if it is not a DownloadError).
inline std::optional<DownloadErrorReason> reason_of(const Outcome<Response>& outcome) {
    if (outcome.has_value()) return std::nullopt;
    try {
        outcome.failure().raise();
    } catch (const DownloadError& error) {
        BOOST_TEST_MESSAGE("failure: " << error.what());
        return error.reason();
    } catch (...) {
    }
    BOOST_ERROR("not a DownloadError: " << outcome.failure().describe());
    return std::nullopt;
}

/// Settings with these limits and an exact (not randomized) delay.
inline DownloaderSettings settings_with(std::size_t global, std::size_t per_domain) {
    DownloaderSettings settings;
    settings.concurrent_requests = global;
    settings.concurrent_requests_per_domain = per_domain;
    settings.randomize_download_delay = false;
    return settings;
}

/// True if the fetch failed with the Deferred layer's CancelledError.
inline bool is_cancelled(const Outcome<Response>& outcome) {
    return !outcome.has_value() && outcome.failure().check<CancelledError>();
}

/// True if the fetch failed with a DownloadError of `reason`.
inline bool is(const Outcome<Response>& outcome, DownloadErrorReason reason) {
    return reason_of(outcome) == reason;
}

}  // namespace interloop::testing
