#pragma once
// FakeTransport: a download transport for tests on the Clock. It records what the Downloader
// starts; the test ends each transfer by hand, or lets a responder answer after a latency.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "reactor/clock.hpp"
#include "spider/downloader.hpp"

namespace interloop::testing {

class FakeTransport final : public spider::Transport {
public:
    struct Started {
        spider::Transfer* transfer;
        std::string url;
        double time;
    };
    /// A canned reply: a status and body, or a failure reason.
    struct Reply {
        int status = 200;
        std::string body;
        std::optional<spider::DownloadErrorReason> failure;
    };
    /// Answers a request, or nullopt to leave the transfer running until the test ends it.
    using Responder = std::function<std::optional<Reply>(const spider::Request&)>;

    explicit FakeTransport(Clock& clock) : clock_(clock) {}

    /// Answers every transfer `latency` seconds after it starts, with `responder`'s reply.
    void respond_with(Responder responder, Duration latency = Duration(0.1)) {
        responder_ = std::move(responder);
        latency_ = latency;
    }

    void start(spider::Transfer& transfer) override {
        started.push_back({&transfer, transfer.request().url(), clock_.seconds()});
        running.push_back(&transfer);
        if (!responder_) return;
        clock_.call_later(latency_, [this, alive = alive_, url = transfer.request().url()] {
            if (!*alive || !is_running(url)) return;
            std::optional<Reply> reply = responder_(find(url)->request());
            if (!reply) return;
            if (reply->failure)
                fail(url, *reply->failure);
            else
                succeed(url, reply->status, std::move(reply->body));
        });
    }
    void abort(spider::Transfer& transfer) noexcept override {
        aborted.push_back(transfer.request().url());
        std::erase(running, &transfer);
    }
    ~FakeTransport() override { *alive_ = false; }

    /// Ends the running transfer for `url` with a response.
    void succeed(const std::string& url, int status = 200, std::string body = "body") {
        spider::Transfer& transfer = take(url);
        transfer.response().status = status;
        transfer.response().body = std::move(body);
        sink().transfer_succeeded(transfer);
    }
    /// Ends the running transfer for `url` with a failure.
    void fail(const std::string& url, spider::DownloadErrorReason reason) {
        sink().transfer_failed(take(url), reason, "fake failure", 99);
    }
    bool is_running(const std::string& url) const { return find(url) != nullptr; }
    std::vector<std::string> started_urls() const {
        std::vector<std::string> urls;
        for (const auto& s : started) urls.push_back(s.url);
        return urls;
    }

    std::vector<Started> started;
    std::vector<spider::Transfer*> running;
    std::vector<std::string> aborted;

private:
    spider::Transfer* find(const std::string& url) const {
        for (spider::Transfer* t : running)
            if (t->request().url() == url) return t;
        return nullptr;
    }
    spider::Transfer& take(const std::string& url) {
        spider::Transfer* t = find(url);
        if (!t) throw std::logic_error("not running: " + url);
        std::erase(running, t);
        return *t;
    }
    Clock& clock_;
    Responder responder_;
    Duration latency_{0.1};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace interloop::testing
