#include "bridge/asio_reactor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "reactor/detail/watch_entry.hpp"
#include "reactor/log.hpp"

namespace interloop {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Beyond ~31 years a deadline could overflow steady_clock's nanoseconds; such a timer never
// fires anyway.
constexpr double max_timer_delay = 1e9;

Interest without(Interest set, Interest removed) {
    return Interest(unsigned(set) & ~unsigned(removed));
}

[[noreturn]] void throw_watch_error(int error, int fd) {
    throw std::system_error(error, std::system_category(),
                            "AsioReactor: cannot watch fd " + std::to_string(fd));
}

}  // namespace

struct AsioReactor::Life {
    AsioReactor* reactor;  // null once the reactor is gone
};

// The io objects, kept out of the header (Asio compiles slowly). `owned` is declared first
// so that it is destroyed last, after the objects that use it.
struct AsioReactor::Impl {
    Impl(std::unique_ptr<asio::io_context> owned_context, asio::io_context& context)
        : owned(std::move(owned_context)), ioc(context), timer(context) {}

    std::unique_ptr<asio::io_context> owned;  // null on a shared io_context
    asio::io_context& ioc;
    asio::steady_timer timer;
    std::uint64_t timer_generation = 0;  // bumped by every (re/dis)arm: stale waits see a change
    std::optional<asio::signal_set> signals;
    // One entry per call_soon, run by the handler posted with it: the io_context's FIFO
    // orders them. Owned here (not by the handlers) so they are released with the reactor.
    std::deque<UniqueFunction<void()>> soon;
    bool closed = false;
    WatchImpl* watches = nullptr;  // intrusive list of live watches
};

// One fd registration: a stream_descriptor on the caller's fd (or a dup of it), with at most
// one async_wait per direction in flight. Linked into its reactor's list so the reactor can
// make it inert when it is destroyed first.
class AsioReactor::WatchImpl final : public detail::WatchEntry {
public:
    WatchImpl(AsioReactor& reactor, int fd, Interest interest,
              UniqueFunction<void(Interest)> on_ready)
        : on_ready_(std::move(on_ready)), link_(std::make_shared<Link>(Link{this})) {
        // epoll refuses regular files and directories (EPERM), which Asio accepts and then
        // fails every wait: refuse them here, as LibeventReactor does. fstat also catches a
        // closed fd before Asio allocates anything for it.
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw_watch_error(errno, fd);
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) throw_watch_error(EPERM, fd);

        descriptor_.emplace(reactor.context());
        error_code ec;
        descriptor_->assign(fd, ec);
        if (ec == boost::system::errc::file_exists) {
            // Already in this io_context's epoll set: register a duplicate (same open file).
            // Asio keeps the failed attempt's small state until the io_context is destroyed.
            dup_fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
            if (dup_fd_ < 0) throw_watch_error(errno, fd);
            descriptor_->assign(dup_fd_, ec);
        }
        if (ec) {
            if (dup_fd_ >= 0) ::close(dup_fd_);
            throw_watch_error(ec.value(), fd);
        }
        reactor_ = &reactor;
        next_ = reactor.impl_->watches;
        if (next_) next_->prev_ = this;
        reactor.impl_->watches = this;
        try {
            set_interest(interest);
        } catch (...) {
            detach();  // no destructor runs for a constructor that throws
            throw;
        }
    }

    ~WatchImpl() override {
        if (destroyed_) *destroyed_ = true;
        link_->self = nullptr;  // waits still queued on the io_context find nobody
        detach();
    }

    void set_interest(Interest interest) override {
        interest_ = interest;
        if (reactor_) arm();  // a wait no longer wanted stays; its completion is ignored
    }

    Interest interest() const override { return interest_; }

    // Deregisters the fd (cancelling the waits) without closing the caller's fd, and leaves
    // the reactor's list; afterwards the watch is inert. Runs while the io_context exists.
    void detach() noexcept {
        if (reactor_ == nullptr) return;
        if (descriptor_->is_open()) static_cast<void>(descriptor_->release());
        descriptor_.reset();
        if (dup_fd_ >= 0) ::close(std::exchange(dup_fd_, -1));
        if (prev_)
            prev_->next_ = next_;
        else
            reactor_->impl_->watches = next_;
        if (next_) next_->prev_ = prev_;
        prev_ = next_ = nullptr;
        reactor_ = nullptr;
    }

private:
    // What a queued wait refers to: the watch may be destroyed before the wait completes.
    struct Link {
        WatchImpl* self;
    };

    void arm() {
        for (Interest direction : {Interest::readable, Interest::writable})
            if (any(interest_ & direction) && !any(waiting_ & direction)) start_wait(direction);
    }

    void start_wait(Interest direction) {
        const auto type = direction == Interest::readable
                              ? asio::posix::descriptor_base::wait_read
                              : asio::posix::descriptor_base::wait_write;
        descriptor_->async_wait(type, [link = link_, direction](const error_code& ec) {
            if (WatchImpl* self = link->self) self->on_wait(direction, ec);
        });
        waiting_ = waiting_ | direction;
    }

    void on_wait(Interest direction, const error_code& ec) {
        waiting_ = without(waiting_, direction);
        if (ec == asio::error::operation_aborted || reactor_ == nullptr) return;
        if (ec) {
            // Not re-armed, so a broken fd cannot spin the loop; set_interest retries.
            log::emit(log::Level::error, "interloop.reactor", "watch on fd {} failed: {}",
                      descriptor_->native_handle(), ec.message());
            return;
        }
        const Interest ready = direction & interest_;
        if (!any(ready)) return;  // paused or changed since the wait started
        // The callback may close or destroy this very watch. The callable is moved to our
        // stack so it survives until it returns; it is put back only if the watch still is.
        bool destroyed = false;
        destroyed_ = &destroyed;
        UniqueFunction<void(Interest)> fn = std::move(on_ready_);
        run_logged(fn, "watch callback", ready);
        if (destroyed) return;
        destroyed_ = nullptr;
        on_ready_ = std::move(fn);
        if (reactor_) {
            try {
                arm();  // persistent: wait again (reported at once if still ready)
            } catch (...) {
                log_current_exception("watch re-arm");
            }
        }
    }

    AsioReactor* reactor_ = nullptr;
    Interest interest_ = Interest::none;
    Interest waiting_ = Interest::none;  // directions with an async_wait in flight
    UniqueFunction<void(Interest)> on_ready_;
    std::optional<asio::posix::stream_descriptor> descriptor_;
    int dup_fd_ = -1;
    std::shared_ptr<Link> link_;
    bool* destroyed_ = nullptr;
    WatchImpl* prev_ = nullptr;
    WatchImpl* next_ = nullptr;
};

AsioReactor::AsioReactor(asio::io_context& context)
    : context_(&context),
      impl_(std::make_unique<Impl>(nullptr, context)),
      life_(std::make_shared<Life>(Life{this})) {}

AsioReactor::AsioReactor() : AsioReactor(std::make_unique<asio::io_context>(1)) {}

AsioReactor::AsioReactor(std::unique_ptr<asio::io_context> owned)
    : context_(owned.get()),
      impl_(std::make_unique<Impl>(std::move(owned), *context_)),
      life_(std::make_shared<Life>(Life{this})) {}

AsioReactor::~AsioReactor() {
    Impl& s = *impl_;
    // Released calls may own Watches or call back into the reactor: release them while the
    // io objects still exist. Once closed, call_soon drops what it is given.
    s.closed = true;
    { auto released = std::exchange(s.soon, {}); }
    release_pending_calls();
    while (s.watches) s.watches->detach();
    s.signals.reset();
    life_->reactor = nullptr;
    // impl_ goes next: the timer, then an owned io_context with whatever is still queued.
}

void AsioReactor::call_soon(UniqueFunction<void()> fn) {
    Impl& s = *impl_;
    if (s.closed) return;  // released at once, as ReactorBase does once closed
    s.soon.push_back(std::move(fn));
    try {
        asio::post(s.ioc, [life = life_] {
            if (AsioReactor* reactor = life->reactor) reactor->run_next_soon_call();
        });
    } catch (...) {
        s.soon.pop_back();  // keep one handler per queued call
        throw;
    }
}

void AsioReactor::run_next_soon_call() noexcept {
    UniqueFunction<void()> fn = std::move(impl_->soon.front());
    impl_->soon.pop_front();
    run_logged(fn, "call_soon call");
}

Watch AsioReactor::watch(int fd, Interest interest, UniqueFunction<void(Interest)> on_ready) {
    return Watch(std::make_unique<WatchImpl>(*this, fd, interest, std::move(on_ready)));
}

void AsioReactor::wake() {
    // asio::post is thread-safe; the handler runs on the loop's thread.
    asio::post(*context_, [life = life_] {
        AsioReactor* reactor = life->reactor;
        if (reactor == nullptr) return;
        try {
            reactor->run_thread_calls();
        } catch (...) {
            log_current_exception("call_from_thread drain");
        }
    });
}

void AsioReactor::schedule_soon() {
    // ReactorBase's batched call_soon queue, unused while call_soon is overridden (one post
    // per call); kept correct for any caller of ReactorBase::call_soon.
    asio::post(*context_, [life = life_] {
        AsioReactor* reactor = life->reactor;
        if (reactor == nullptr) return;
        try {
            reactor->run_soon_calls();
        } catch (...) {
            log_current_exception("call_soon drain");
        }
    });
}

void AsioReactor::arm_timer(double delay) {
    Impl& s = *impl_;
    const std::uint64_t generation = ++s.timer_generation;
    auto fire = [life = life_, generation] {
        AsioReactor* reactor = life->reactor;
        if (reactor && reactor->impl_->timer_generation == generation) reactor->fire_timer();
    };
    if (delay <= 0) {
        // Due now: a post, not a zero steady_timer (a kernel timer round trip, ~17 us).
        s.timer.cancel();
        asio::post(s.ioc, std::move(fire));
        return;
    }
    using Nanoseconds = std::chrono::nanoseconds;
    // Rounded up: firing before the deadline would only cost an extra wake-up.
    s.timer.expires_after(
        std::chrono::ceil<Nanoseconds>(Duration(std::min(delay, max_timer_delay))));
    s.timer.async_wait([fire = std::move(fire)](const error_code& ec) {
        if (!ec) fire();
    });
}

void AsioReactor::disarm_timer() {
    ++impl_->timer_generation;
    impl_->timer.cancel();
}

void AsioReactor::fire_timer() noexcept {
    try {
        run_timers();
    } catch (...) {
        log_current_exception("timer re-arm");
    }
}

void AsioReactor::run_loop() {
    asio::io_context& ioc = *context_;
    ioc.restart();  // after a stop, run() returns at once until restarted
    const auto keep_running = asio::make_work_guard(ioc);
    ioc.run();
}

void AsioReactor::break_loop() {
    context_->stop();
}

void AsioReactor::watch_signal(int signo) {
    Impl& s = *impl_;
    if (s.signals) {
        s.signals->add(signo);  // the one wait is already in flight
        return;
    }
    s.signals.emplace(s.ioc);
    try {
        s.signals->add(signo);
        wait_for_signal();
    } catch (...) {
        s.signals.reset();
        throw;
    }
}

void AsioReactor::wait_for_signal() {
    impl_->signals->async_wait([life = life_](const error_code& ec, int signo) {
        AsioReactor* reactor = life->reactor;
        if (ec || reactor == nullptr) return;
        try {
            reactor->handle_signal(signo);
        } catch (...) {
            log_current_exception("signal handler");
        }
        try {
            reactor->wait_for_signal();
        } catch (...) {
            log_current_exception("signal re-arm");
        }
    });
}

}  // namespace interloop
