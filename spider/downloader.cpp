// Downloader: the slot scheduler (Scrapy's downloader/__init__.py `_process_queue`), on any
// ReactorTime and Transport.
//
// Re-entrancy rule: user code runs only when a Deferred fires, and every entry point fires
// its Deferred last, after the bookkeeping is consistent and without touching `this` again:
// a callback may fetch, cancel other fetches, close or destroy the downloader.

#include "spider/downloader.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "reactor/failure.hpp"
#include "spider/detail/curl_transport.hpp"
#include "spider/detail/download_slot.hpp"

namespace interloop::spider {

using detail::Slot;
using detail::TransferList;

std::uint64_t DownloaderStats::errors() const noexcept {
    return std::accumulate(errors_by_reason.begin(), errors_by_reason.end(), std::uint64_t{0});
}

Downloader::Downloader(Reactor& reactor, DownloaderSettings settings)
    : Downloader(reactor, settings, std::make_unique<detail::CurlTransport>(reactor, settings)) {}

Downloader::Downloader(ReactorTime& time, DownloaderSettings settings,
                       std::unique_ptr<Transport> transport)
    : time_(time),
      settings_(std::move(settings)),
      transport_(std::move(transport)),
      running_(std::make_unique<TransferList>()),
      delay_(settings_.download_delay.count()),
      random_(settings_.random_seed) {
    if (settings_.concurrent_requests == 0 || settings_.concurrent_requests_per_domain == 0)
        throw std::invalid_argument("Downloader: concurrency limits must be at least 1");
    if (!transport_) throw std::invalid_argument("Downloader: no transport");
    if (!(delay_ > 0.0)) delay_ = 0.0;  // negative or NaN: no delay
    transport_->attach(*this);
}

Downloader::~Downloader() {
    close();
}

Deferred<Response> Downloader::fetch(Request request) {
    ++stats_.requests;
    if (closed_) {
        ++stats_.errors_by_reason[static_cast<std::size_t>(DownloadErrorReason::cancelled)];
        const std::string url = request.url();
        return fail<Response>(DownloadError(DownloadErrorReason::cancelled,
                                            "the downloader is closed", url, 0,
                                            std::make_shared<const Request>(std::move(request))));
    }
    Slot& slot = slot_for(request.host());
    Transfer* transfer = acquire();
    transfer->response_.emplace(std::move(request));
    transfer->slot_ = &slot;
    Deferred<Response> result([this, transfer](Deferred<Response>&) { cancel(*transfer); });
    transfer->deferred_.emplace(result);
    slot.queue.push_back(transfer);
    ++queued_;
    if (!slot.ready && !slot.wakeup.active()) pump(slot, Pump::all);
    return result;
}

Slot& Downloader::slot_for(std::string_view key) {
    auto it = slots_.find(key);
    if (it == slots_.end())
        it = slots_.emplace(std::string(key), std::make_unique<Slot>(std::string(key))).first;
    return *it->second;
}

// Starts what `slot` may start now: FIFO, within the per-slot limit, the delay and the global
// limit. Held back by the global limit (or after one start with Pump::one), the slot joins
// ready_; by its delay, it arms its wakeup; by its own limit, its next finish pumps it again.
void Downloader::pump(Slot& slot, Pump how) {
    const double now = time_.seconds();
    bool started = false;
    while (!slot.queue.empty()) {
        if (slot.active >= settings_.concurrent_requests_per_domain) return;
        if (delay_ > 0.0 && now < slot.next_start) {
            if (!slot.wakeup.active())
                slot.wakeup = time_.call_later(Duration(slot.next_start - now),
                                               [this, s = &slot] { wake(*s); });
            return;
        }
        if (transferring_ >= settings_.concurrent_requests || (how == Pump::one && started)) {
            mark_ready(slot);
            return;
        }
        Transfer* transfer = slot.queue.pop_front();
        --queued_;
        if (delay_ > 0.0) slot.next_start = now + next_delay();
        start(slot, *transfer);
        started = true;
    }
}

void Downloader::start(Slot& slot, Transfer& transfer) {
    transfer.active_ = true;
    running_->push_back(&transfer);
    ++slot.active;
    ++transferring_;
    try {
        transport_->start(transfer);
    } catch (...) {
        // Could not even start (no memory, libcurl refused the handle): a failure, delivered
        // on a later turn since this runs inside pump().
        const std::string what = Failure(std::current_exception()).describe();
        running_->erase(&transfer);
        --slot.active;
        --transferring_;
        ++stats_.errors_by_reason[static_cast<std::size_t>(DownloadErrorReason::other)];
        const std::string url = transfer.request().url();
        auto error = std::make_exception_ptr(DownloadError(
            DownloadErrorReason::other, "could not start the transfer: " + what, url, 0,
            std::make_shared<const Request>(std::move(transfer.response_->request))));
        time_.call_soon(
            [d = std::move(*transfer.deferred_), error]() mutable { d.errback(error); });
        release(&transfer);
    }
}

void Downloader::mark_ready(Slot& slot) {
    if (slot.ready) return;
    slot.ready = true;
    ready_.push_back(&slot);
}

// Serves the slots held back by the global limit, one start per slot per turn (round-robin).
void Downloader::drain_ready() {
    while (!ready_.empty() && transferring_ < settings_.concurrent_requests) {
        Slot* slot = ready_.front();
        ready_.pop_front();
        slot->ready = false;
        pump(*slot, Pump::one);
    }
}

// After a transfer of `slot` ended or a fetch left it: use the freed capacity, then drop the
// slot if it is idle and its delay has passed (else wake up when it has).
void Downloader::after_change(Slot& slot) {
    drain_ready();
    if (!slot.ready && !slot.wakeup.active()) pump(slot, Pump::all);
    if (slot.active != 0 || !slot.queue.empty() || slot.ready) return;
    const double now = time_.seconds();
    if (delay_ > 0.0 && now < slot.next_start) {
        if (!slot.wakeup.active())
            slot.wakeup =
                time_.call_later(Duration(slot.next_start - now), [this, s = &slot] { wake(*s); });
        return;
    }
    if (slot.wakeup.active()) slot.wakeup.cancel();
    slots_.erase(slots_.find(std::string_view(slot.key)));
}

void Downloader::wake(Slot& slot) {
    after_change(slot);
}

void Downloader::cancel(Transfer& transfer) {
    Slot& slot = *transfer.slot_;
    if (transfer.active_) {
        transport_->abort(transfer);
        running_->erase(&transfer);
        --slot.active;
        --transferring_;
    } else {
        slot.queue.erase(&transfer);
        --queued_;
        if (slot.queue.empty() && slot.ready) {
            ready_.erase(std::find(ready_.begin(), ready_.end(), &slot));
            slot.ready = false;
        }
    }
    ++stats_.errors_by_reason[static_cast<std::size_t>(DownloadErrorReason::cancelled)];
    release(&transfer);
    after_change(slot);
    // The Deferred (still unfired) now fails with CancelledError.
}

// Takes `transfer` out of the running set; returns its Deferred (the caller fires it last).
Deferred<Response> Downloader::finish(Transfer& transfer) {
    running_->erase(&transfer);
    --transfer.slot_->active;
    --transferring_;
    return std::move(*transfer.deferred_);
}

void Downloader::transfer_succeeded(Transfer& transfer) {
    Slot& slot = *transfer.slot_;
    Deferred<Response> result = finish(transfer);
    Response response = std::move(*transfer.response_);
    release(&transfer);
    ++stats_.responses;
    ++stats_.responses_by_status[response.status];
    stats_.response_bytes += response.body.size();
    after_change(slot);
    result.callback(std::move(response));
}

void Downloader::transfer_failed(Transfer& transfer, DownloadErrorReason reason,
                                 std::string_view detail, int code) {
    Slot& slot = *transfer.slot_;
    Deferred<Response> result = finish(transfer);
    const std::string url = transfer.request().url();
    auto request = std::make_shared<const Request>(std::move(transfer.response_->request));
    release(&transfer);
    ++stats_.errors_by_reason[static_cast<std::size_t>(reason)];
    auto error = std::make_exception_ptr(DownloadError(reason, detail, url, code, request));
    after_change(slot);
    result.errback(error);
}

void Downloader::close() {
    if (closed_) return;
    closed_ = true;
    std::vector<std::pair<Deferred<Response>, std::exception_ptr>> failed;
    auto fail_one = [&](Transfer* transfer) {
        ++stats_.errors_by_reason[static_cast<std::size_t>(DownloadErrorReason::cancelled)];
        const std::string url = transfer->request().url();
        failed.emplace_back(
            std::move(*transfer->deferred_),
            std::make_exception_ptr(DownloadError(
                DownloadErrorReason::cancelled,
                "the downloader was closed before the download finished", url, 0,
                std::make_shared<const Request>(std::move(transfer->response_->request)))));
        delete transfer;
    };
    while (!running_->empty()) {
        Transfer* transfer = running_->pop_front();
        transport_->abort(*transfer);
        fail_one(transfer);
    }
    for (auto& [key, slot] : slots_) {
        while (!slot->queue.empty()) fail_one(slot->queue.pop_front());
        if (slot->wakeup.active()) slot->wakeup.cancel();
    }
    slots_.clear();
    ready_.clear();
    spare_.clear();
    transferring_ = queued_ = 0;
    // Last, and from a local: an errback may destroy this downloader.
    for (auto& [deferred, error] : failed) deferred.errback(error);
}

Transfer* Downloader::acquire() {
    if (spare_.empty()) return new Transfer;
    Transfer* transfer = spare_.back().release();
    spare_.pop_back();
    return transfer;
}

void Downloader::release(Transfer* transfer) noexcept {
    transfer->response_.reset();
    transfer->deferred_.reset();
    transfer->slot_ = nullptr;
    transfer->active_ = false;
    transfer->transport_data = nullptr;
    if (closed_ || spare_.size() >= settings_.concurrent_requests + 16) {
        delete transfer;
        return;
    }
    try {
        spare_.emplace_back(transfer);
    } catch (...) {
        delete transfer;
    }
}

double Downloader::next_delay() {
    if (!settings_.randomize_download_delay) return delay_;
    return delay_ * std::uniform_real_distribution<double>(0.5, 1.5)(random_);
}

}  // namespace interloop::spider
