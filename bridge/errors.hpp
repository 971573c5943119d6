#pragma once
// Errors that only crossings between the two loops can produce.

#include <stdexcept>

namespace interloop {

/// The loop on the other side of a crossing was shut down (destroyed, or its io_context shut
/// down) before the crossing could complete.
class LoopClosedError : public std::runtime_error {
public:
    LoopClosedError() : std::runtime_error("the event loop was shut down before completion") {}
    using std::runtime_error::runtime_error;
};

}  // namespace interloop
