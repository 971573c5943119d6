#include "spider/scheduler.hpp"

#include "reactor/log.hpp"

namespace interloop::spider {

bool Scheduler::enqueue(Request request) {
    // A dont_filter request is never dropped, but it is remembered (unlike Scrapy), so that a
    // start URL is not fetched a second time when a page links back to it.
    bool fresh = seen_.insert(fingerprint(request)).second;
    if (!fresh && !request.dont_filter) {
        ++stats_.filtered;
        if (!logged_duplicate_) {
            logged_duplicate_ = true;
            log::emit(log::Level::debug, "interloop.dupefilter",
                      "Filtered duplicate request: <{} {}> - no more duplicates will be shown",
                      request.method, request.url());
        }
        return false;
    }
    queues_[request.priority].push_back(std::move(request));
    ++size_;
    ++stats_.enqueued;
    return true;
}

std::optional<Request> Scheduler::next() {
    if (queues_.empty()) return std::nullopt;
    auto top = queues_.begin();
    std::deque<Request>& queue = top->second;
    std::optional<Request> out;
    if (order_ == QueueOrder::lifo) {
        out.emplace(std::move(queue.back()));
        queue.pop_back();
    } else {
        out.emplace(std::move(queue.front()));
        queue.pop_front();
    }
    if (queue.empty()) queues_.erase(top);
    --size_;
    ++stats_.dequeued;
    return out;
}

}  // namespace interloop::spider
