#pragma once
// Scheduler: the queue of requests waiting to be downloaded, with the duplicate filter.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <unordered_set>

#include "spider/fingerprint.hpp"
#include "spider/request.hpp"

namespace interloop::spider {

/// How requests of equal priority leave the queue. Scrapy's default memory queues are LIFO,
/// which crawls depth-first (and keeps the queue short on sites that fan out).
enum class QueueOrder { lifo, fifo };

/// Counters, under Scrapy's stat names in the engine's stats.
struct SchedulerStats {
    std::uint64_t enqueued = 0;  // scheduler/enqueued
    std::uint64_t dequeued = 0;  // scheduler/dequeued
    std::uint64_t filtered = 0;  // dupefilter/filtered
};

/// Scrapy's Scheduler with its RFPDupeFilter and memory priority queue: requests leave in
/// priority order (higher first), equal priorities in `QueueOrder`; a request whose fingerprint
/// was seen before is dropped unless it has `dont_filter`. Unlike Scrapy, the fingerprints of
/// `dont_filter` requests are remembered too: a start URL (Scrapy's start requests have
/// `dont_filter`) is not fetched again when a page links back to it. The filter remembers every
/// fingerprint for the crawl's lifetime (20 bytes each).
class Scheduler {
public:
    explicit Scheduler(QueueOrder order = QueueOrder::lifo) : order_(order) {}

    /// Queues `request`; false if it was dropped as a duplicate (counted; the first one is
    /// logged at debug level, as Scrapy does).
    bool enqueue(Request request);
    /// The next request to download, or nullopt when empty.
    std::optional<Request> next();

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const SchedulerStats& stats() const noexcept { return stats_; }
    /// True if a request with this fingerprint was already enqueued (or filtered).
    bool seen(const Request& request) const { return seen_.contains(fingerprint(request)); }

private:
    struct FingerprintHash {
        std::size_t operator()(const Fingerprint& fp) const noexcept {
            std::size_t h;
            static_assert(sizeof h <= sizeof(Fingerprint));
            std::memcpy(&h, fp.data(), sizeof h);  // SHA-1 bytes are already well mixed
            return h;
        }
    };

    QueueOrder order_;
    std::map<int, std::deque<Request>, std::greater<>> queues_;
    std::unordered_set<Fingerprint, FingerprintHash> seen_;
    std::size_t size_ = 0;
    SchedulerStats stats_;
    bool logged_duplicate_ = false;
};

}  // namespace interloop::spider
