#include "reactor/libevent_reactor.hpp"

#include <event2/event.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "reactor/detail/watch_entry.hpp"
#include "reactor/log.hpp"

namespace interloop {
namespace {

// Beyond ~31 years a timeval computation could overflow; such a timer never fires anyway.
constexpr double max_timer_delay = 1e9;
// libevent polls for I/O at least this often while callbacks keep activating each other
// (a self-rescheduling call_soon), bounding how long ready I/O and timers wait.
constexpr int max_callbacks_between_polls = 64;

short to_events(Interest interest) {
    short events = EV_PERSIST;
    if (any(interest & Interest::readable)) events |= EV_READ;
    if (any(interest & Interest::writable)) events |= EV_WRITE;
    return events;
}

Interest to_interest(short events) {
    Interest ready = Interest::none;
    if (events & EV_READ) ready = ready | Interest::readable;
    if (events & EV_WRITE) ready = ready | Interest::writable;
    return ready;
}

// libevent's own diagnostics (e.g. a failed epoll_ctl) go to our logger, not to stderr.
// The hook is process-wide; installing it once, on first use, is enough.
void route_libevent_logs() {
    static std::once_flag once;
    std::call_once(once, [] {
        event_set_log_callback([](int severity, const char* message) {
            log::Level level = log::Level::error;
            switch (severity) {
                case EVENT_LOG_DEBUG:
                    level = log::Level::debug;
                    break;
                case EVENT_LOG_MSG:
                    level = log::Level::info;
                    break;
                case EVENT_LOG_WARN:
                    level = log::Level::warning;
                    break;
                default:
                    break;
            }
            try {
                log::emit(level, "interloop.libevent", "{}", message);
            } catch (...) {
                // Nothing may propagate into libevent.
            }
        });
    });
}

}  // namespace

// One fd registration: a persistent libevent event, linked into its reactor's list so the
// reactor can make it inert when it is destroyed first.
class LibeventReactor::WatchImpl final : public detail::WatchEntry {
public:
    WatchImpl(LibeventReactor& reactor, int fd, Interest interest,
              UniqueFunction<void(Interest)> on_ready)
        : reactor_(&reactor), fd_(fd), on_ready_(std::move(on_ready)) {
        event_ = event_new(reactor.base_, fd, EV_PERSIST, &WatchImpl::on_event, this);
        if (event_ == nullptr) throw std::runtime_error("LibeventReactor: event_new failed");
        next_ = reactor.watches_;
        if (next_) next_->prev_ = this;
        reactor.watches_ = this;
        try {
            set_interest(interest);
        } catch (...) {
            detach();  // no destructor runs for a constructor that throws
            throw;
        }
    }

    ~WatchImpl() override {
        if (destroyed_) *destroyed_ = true;
        detach();
    }

    void set_interest(Interest interest) override {
        if (interest == interest_ && interest != Interest::none) return;
        interest_ = interest;
        if (event_ == nullptr) return;  // the reactor is gone: inert
        event_del(event_);
        if (!any(interest)) return;
        event_assign(event_, reactor_->base_, fd_, to_events(interest), &WatchImpl::on_event, this);
        if (event_add(event_, nullptr) != 0) {
            interest_ = Interest::none;  // report what is really registered: nothing
            throw std::runtime_error("LibeventReactor: cannot watch fd " + std::to_string(fd_));
        }
    }

    Interest interest() const override { return interest_; }

    // Frees the event and leaves the reactor's list; afterwards the watch is inert.
    void detach() noexcept {
        if (reactor_ == nullptr) return;
        if (event_) event_free(std::exchange(event_, nullptr));
        if (prev_)
            prev_->next_ = next_;
        else
            reactor_->watches_ = next_;
        if (next_) next_->prev_ = prev_;
        prev_ = next_ = nullptr;
        reactor_ = nullptr;
    }

private:
    static void on_event(evutil_socket_t, short events, void* arg) {
        auto* self = static_cast<WatchImpl*>(arg);
        const Interest ready = to_interest(events) & self->interest_;
        if (!any(ready)) return;
        // The callback may close or destroy this very watch. The callable is moved to our
        // stack so it survives until it returns; it is put back only if the watch still is.
        bool destroyed = false;
        self->destroyed_ = &destroyed;
        UniqueFunction<void(Interest)> fn = std::move(self->on_ready_);
        run_logged(fn, "watch callback", ready);
        if (!destroyed) {
            self->destroyed_ = nullptr;
            self->on_ready_ = std::move(fn);
        }
    }

    LibeventReactor* reactor_;
    int fd_;
    Interest interest_ = Interest::none;
    UniqueFunction<void(Interest)> on_ready_;
    event* event_ = nullptr;
    bool* destroyed_ = nullptr;
    WatchImpl* prev_ = nullptr;
    WatchImpl* next_ = nullptr;
};

LibeventReactor::LibeventReactor() {
    route_libevent_logs();
    try {
        std::unique_ptr<event_config, void (*)(event_config*)> config(event_config_new(),
                                                                      &event_config_free);
        if (!config) throw std::runtime_error("LibeventReactor: event_config_new failed");
        // Precise: timers use CLOCK_MONOTONIC, not the ~4 ms coarse clock. No cached time:
        // event_add computes deadlines from the real now, not the start of the iteration.
        event_config_set_flag(config.get(),
                              EVENT_BASE_FLAG_PRECISE_TIMER | EVENT_BASE_FLAG_NO_CACHE_TIME);
        event_config_set_max_dispatch_interval(config.get(), nullptr, max_callbacks_between_polls,
                                               0);
        base_ = event_base_new_with_config(config.get());
        if (!base_) throw std::runtime_error("LibeventReactor: event_base_new failed");

        wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wake_fd_ < 0) throw std::runtime_error("LibeventReactor: eventfd failed");
        // Captureless lambdas inside a member function may call the protected entry points.
        // Nothing may propagate into libevent's C frames: everything is caught and logged.
        wake_event_ = new_event(wake_fd_, EV_READ | EV_PERSIST, [](int fd, short, void* arg) {
            // Reset the counter before draining, so a wake-up sent after this read is kept.
            std::uint64_t count = 0;
            while (::read(fd, &count, sizeof count) < 0 && errno == EINTR) {
            }
            try {
                static_cast<LibeventReactor*>(arg)->run_thread_calls();
            } catch (...) {
                log_current_exception("call_from_thread drain");
            }
        });
        if (event_add(wake_event_, nullptr) != 0)
            throw std::runtime_error("LibeventReactor: cannot watch the eventfd");
        soon_event_ = new_event(-1, 0, [](int, short, void* arg) {
            try {
                static_cast<LibeventReactor*>(arg)->run_soon_calls();
            } catch (...) {
                log_current_exception("call_soon drain");
            }
        });
        timer_event_ = new_event(-1, 0, [](int, short, void* arg) {
            try {
                static_cast<LibeventReactor*>(arg)->run_timers();
            } catch (...) {
                log_current_exception("timer re-arm");
            }
        });
    } catch (...) {
        free_backend();
        throw;
    }
}

LibeventReactor::~LibeventReactor() {
    // Released calls may own Watches: release them while the event_base still exists.
    release_pending_calls();
    free_backend();
}

void LibeventReactor::free_backend() noexcept {
    while (watches_) watches_->detach();
    for (event* ev : signal_events_) event_free(ev);
    signal_events_.clear();
    for (event** ev : {&timer_event_, &soon_event_, &wake_event_})
        if (*ev) event_free(std::exchange(*ev, nullptr));
    if (wake_fd_ >= 0) ::close(std::exchange(wake_fd_, -1));
    if (base_) event_base_free(std::exchange(base_, nullptr));
}

Watch LibeventReactor::watch(int fd, Interest interest, UniqueFunction<void(Interest)> on_ready) {
    return Watch(std::make_unique<WatchImpl>(*this, fd, interest, std::move(on_ready)));
}

void LibeventReactor::wake() {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is saturated: a wake-up is pending anyway.
    while (::write(wake_fd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void LibeventReactor::schedule_soon() {
    event_active(soon_event_, EV_TIMEOUT, 0);
}

void LibeventReactor::arm_timer(double delay) {
    // Rounded up to whole microseconds: truncating would fire before the deadline and cost
    // an extra wake-up.
    const auto usec = static_cast<long long>(std::ceil(std::min(delay, max_timer_delay) * 1e6));
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(usec / 1000000);
    tv.tv_usec = static_cast<suseconds_t>(usec % 1000000);
    if (evtimer_add(timer_event_, &tv) != 0)
        throw std::runtime_error("LibeventReactor: cannot arm the timer");
}

void LibeventReactor::disarm_timer() {
    evtimer_del(timer_event_);
}

void LibeventReactor::run_loop() {
    if (event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY) < 0)
        throw std::runtime_error("LibeventReactor: event_base_loop failed");
}

void LibeventReactor::break_loop() {
    event_base_loopbreak(base_);
}

void LibeventReactor::watch_signal(int signo) {
    event* ev = evsignal_new(
        base_, signo,
        [](int signo, short, void* arg) {
            try {
                static_cast<LibeventReactor*>(arg)->handle_signal(signo);
            } catch (...) {
                log_current_exception("signal handler");
            }
        },
        this);
    if (ev == nullptr || event_add(ev, nullptr) != 0) {
        if (ev) event_free(ev);
        throw std::runtime_error("LibeventReactor: cannot watch signal " + std::to_string(signo));
    }
    signal_events_.push_back(ev);
}

event* LibeventReactor::new_event(int fd, short what, void (*callback)(int, short, void*)) {
    event* ev = event_new(base_, fd, what, callback, this);
    if (ev == nullptr) throw std::runtime_error("LibeventReactor: event_new failed");
    return ev;
}

}  // namespace interloop
