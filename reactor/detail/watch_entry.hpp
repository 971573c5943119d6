#pragma once
// WatchEntry: the backend side of a `Watch` (one fd registration).

#include "reactor/reactor.hpp"

namespace interloop::detail {

/// A backend's fd registration. Destroying it unregisters the fd at once; it must stay safe
/// to destroy after its reactor is gone (the reactor then makes it inert) and from inside its
/// own callback.
class WatchEntry {
public:
    WatchEntry() = default;
    WatchEntry(const WatchEntry&) = delete;
    WatchEntry& operator=(const WatchEntry&) = delete;
    virtual ~WatchEntry() = default;

    /// Changes what the registration waits for; `Interest::none` pauses it.
    virtual void set_interest(Interest interest) = 0;
    /// What the registration currently waits for.
    virtual Interest interest() const = 0;
};

}  // namespace interloop::detail
