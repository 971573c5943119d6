// Signals: what happens to an exception a signal handler throws.

#include "spider/signals.hpp"

#include "reactor/log.hpp"

namespace interloop::spider::detail {

void log_signal_handler_error(std::string_view signal, std::exception_ptr error) {
    log::emit(log::Level::error, "interloop.signals", "Error caught on signal handler ({}): {}",
              signal, Failure(std::move(error)).describe());
}

}  // namespace interloop::spider::detail
