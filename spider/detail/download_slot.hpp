#pragma once
// The Downloader's per-domain slot and its intrusive transfer list (no allocation per request).

#include <cstddef>
#include <limits>
#include <string>

#include "reactor/reactor.hpp"
#include "spider/downloader.hpp"

namespace interloop::spider::detail {

/// A FIFO of Transfers linked through their own prev/next fields: O(1) push, pop and removal
/// of any element (a cancelled queued fetch), and no node allocations. A Transfer is in at most
/// one list at a time.
class TransferList {
public:
    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }
    Transfer* front() const noexcept { return head_; }

    void push_back(Transfer* t) noexcept {
        t->prev_ = tail_;
        t->next_ = nullptr;
        (tail_ ? tail_->next_ : head_) = t;
        tail_ = t;
        ++size_;
    }
    Transfer* pop_front() noexcept {
        Transfer* t = head_;
        erase(t);
        return t;
    }
    void erase(Transfer* t) noexcept {
        (t->prev_ ? t->prev_->next_ : head_) = t->next_;
        (t->next_ ? t->next_->prev_ : tail_) = t->prev_;
        t->prev_ = t->next_ = nullptr;
        --size_;
    }

private:
    Transfer* head_ = nullptr;
    Transfer* tail_ = nullptr;
    std::size_t size_ = 0;
};

/// One download slot (Scrapy's `downloader.Slot`): the transfers of one host.
struct Slot {
    explicit Slot(std::string slot_key) : key(std::move(slot_key)) {}

    std::string key;
    /// Transfers running now.
    std::size_t active = 0;
    /// Fetches waiting, FIFO.
    TransferList queue;
    /// With a delay: the reactor time before which no transfer may start.
    double next_start = std::numeric_limits<double>::lowest();
    /// Armed while the slot waits out its delay (to start the next, or to be dropped).
    DelayedCall wakeup;
    /// In Downloader::ready_ (held back only by the global limit).
    bool ready = false;
};

}  // namespace interloop::spider::detail
