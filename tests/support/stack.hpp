#pragma once
// Runs a function on a thread with a small, fixed stack (to prove code does not recurse).

#include <pthread.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <stdexcept>

namespace interloop::testing {

/// Runs `fn` on a new thread whose stack is `stack_bytes` long and waits for it; an exception
/// thrown by `fn` is rethrown here.
inline void run_with_stack(std::size_t stack_bytes, std::function<void()> fn) {
    struct Job {
        std::function<void()> fn;
        std::exception_ptr error;
    } job{std::move(fn), nullptr};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    pthread_t thread;
    int rc = pthread_create(
        &thread, &attr,
        [](void* p) -> void* {
            auto* j = static_cast<Job*>(p);
            try {
                j->fn();
            } catch (...) {
                j->error = std::current_exception();
            }
            return nullptr;
        },
        &job);
    pthread_attr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("pthread_create failed");
    pthread_join(thread, nullptr);
    if (job.error) std::rethrow_exception(job.error);
}

}  // namespace interloop::testing
