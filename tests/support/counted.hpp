#pragma once
// A value type that counts its constructions and destructions, to prove no result is leaked
// or destroyed twice as it travels through chains.

#include <cstdint>
#include <stdexcept>

namespace interloop::testing {

struct Counted {
    static inline int constructed = 0;
    static inline int destroyed = 0;
    static int alive() { return constructed - destroyed; }
    static void reset_counts() { constructed = destroyed = 0; }

    int value = 0;
    std::uint64_t canary = live_canary;

    explicit Counted(int v = 0) : value(v) { ++constructed; }
    Counted(const Counted& other) : value(other.check().value) { ++constructed; }
    Counted(Counted&& other) noexcept : value(other.value) { ++constructed; }
    Counted& operator=(const Counted& other) {
        value = other.check().value;
        return *this;
    }
    Counted& operator=(Counted&& other) noexcept {
        value = other.value;
        return *this;
    }
    ~Counted() {
        if (canary != live_canary) std::terminate();  // destroyed twice
        canary = 0;
        ++destroyed;
    }

    const Counted& check() const {
        if (canary != live_canary) throw std::logic_error("use of a destroyed Counted");
        return *this;
    }

private:
    static constexpr std::uint64_t live_canary = 0xC0C0A5A5D00DFEEDull;
};

}  // namespace interloop::testing
