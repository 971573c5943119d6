#pragma once
// Signals: the crawl's events, each a typed list of handlers (Scrapy's signals).

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "reactor/failure.hpp"
#include "spider/errors.hpp"
#include "spider/item.hpp"
#include "spider/request.hpp"

namespace interloop::spider {

class Response;
class Spider;

namespace detail {
/// Logs an exception thrown by a signal handler ("Error caught on signal handler").
void log_signal_handler_error(std::string_view signal, std::exception_ptr error);
}  // namespace detail

/// One event with typed arguments and any number of handlers, called in connection order.
/// An exception thrown by a handler is logged and does not stop the other handlers (Scrapy's
/// `send_catch_log`), except where a signal documents an exception it understands.
/// Handlers may connect or disconnect handlers while the signal is being sent; the change
/// applies to the next send.
template <class... Args>
class Signal {
public:
    using Handler = std::function<void(Args...)>;
    /// Identifies a connection for `disconnect`.
    using Connection = std::uint64_t;

    explicit Signal(std::string_view name) noexcept : name_(name) {}

    /// Adds a handler.
    Connection connect(Handler handler) {
        handlers_.push_back({++last_id_, std::make_shared<Handler>(std::move(handler))});
        return last_id_;
    }
    /// Removes a handler; false if it was not connected.
    bool disconnect(Connection id) {
        return std::erase_if(handlers_, [id](const auto& h) { return h.id == id; }) > 0;
    }
    bool empty() const noexcept { return handlers_.empty(); }
    std::string_view name() const noexcept { return name_; }

    /// Calls every handler with `args`, logging what they throw.
    void send(const Args&... args) const {
        send_with([this](std::exception_ptr e) { detail::log_signal_handler_error(name_, e); },
                  args...);
    }
    /// Calls every handler with `args`; what a handler throws goes to `on_error`.
    template <class OnError>
    void send_with(OnError&& on_error, const Args&... args) const {
        if (handlers_.empty()) return;
        auto snapshot = handlers_;  // handlers may (dis)connect while we iterate
        for (const auto& entry : snapshot) {
            try {
                (*entry.handler)(args...);
            } catch (...) {
                on_error(std::current_exception());
            }
        }
    }

private:
    struct Entry {
        Connection id;
        std::shared_ptr<Handler> handler;
    };
    std::string_view name_;
    std::vector<Entry> handlers_;
    Connection last_id_ = 0;
};

/// The events of one crawl. Item and error signals pass the response the output came from, or
/// nullptr when it came from an errback or the start requests.
struct Signals {
    /// The engine started (before the spider is opened).
    Signal<> engine_started{"engine_started"};
    /// The spider was opened; its start requests are about to be read.
    Signal<Spider&> spider_opened{"spider_opened"};
    /// A request entered the scheduler.
    Signal<const Request&> request_scheduled{"request_scheduled"};
    /// A request was refused by the scheduler (a duplicate).
    Signal<const Request&> request_dropped{"request_dropped"};
    /// A response came back from the downloader (through the downloader middlewares).
    Signal<const Response&> response_received{"response_received"};
    /// An item went through every pipeline.
    Signal<const Item&, const Response*> item_scraped{"item_scraped"};
    /// A pipeline dropped an item (DropItem); the third argument is the reason.
    Signal<const Item&, const Response*, std::string_view> item_dropped{"item_dropped"};
    /// A pipeline failed on an item with an error other than DropItem.
    Signal<const Item&, const Response*, const Failure&> item_error{"item_error"};
    /// A spider callback or errback failed (threw, or its Deferred failed).
    Signal<const Failure&, const Response*> spider_error{"spider_error"};
    /// Nothing is left to do. Handlers may schedule requests (`Crawler::crawl`) or throw
    /// DontCloseSpider; otherwise the spider closes with reason "finished".
    Signal<Spider&> spider_idle{"spider_idle"};
    /// The spider closed, with its reason ("finished", "shutdown", "cancelled", ...).
    Signal<Spider&, std::string_view> spider_closed{"spider_closed"};
    /// The engine stopped (after spider_closed).
    Signal<> engine_stopped{"engine_stopped"};
};

}  // namespace interloop::spider
