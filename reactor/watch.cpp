// Watch: the move-only user handle on a backend's WatchEntry.

#include <stdexcept>
#include <utility>

#include "reactor/detail/watch_entry.hpp"

namespace interloop {

Watch::Watch() noexcept = default;
Watch::Watch(std::unique_ptr<detail::WatchEntry> entry) noexcept : entry_(std::move(entry)) {}
Watch::Watch(Watch&&) noexcept = default;
Watch::~Watch() = default;

Watch& Watch::operator=(Watch&& other) noexcept {
    // The previous entry (if any) is destroyed, which unregisters its fd.
    if (this != &other) entry_ = std::move(other.entry_);
    return *this;
}

void Watch::set_interest(Interest interest) {
    if (!entry_) throw std::logic_error("Watch::set_interest on a closed watch");
    entry_->set_interest(interest);
}

Interest Watch::interest() const {
    return entry_ ? entry_->interest() : Interest::none;
}

void Watch::close() {
    entry_.reset();
}

}  // namespace interloop
