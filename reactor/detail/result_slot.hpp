#pragma once
// ResultSlot: the current result of a callback chain, a value of any type or a failure.

#include <cstddef>
#include <exception>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace interloop::detail {

/// The stored value of a `Deferred<void>`.
struct Unit {};

template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, Unit, T>;

/// Holds nothing, one value of any type, or an exception. A chain's result changes type as it
/// moves down the chain, so the type is erased here and recovered by the typed steps, which
/// know it statically. Small nothrow-movable values live inline; others on the heap.
class ResultSlot {
public:
    static constexpr std::size_t inline_bytes = 40;

    ResultSlot() noexcept = default;
    ResultSlot(const ResultSlot&) = delete;
    ResultSlot& operator=(const ResultSlot&) = delete;
    ~ResultSlot() { reset(); }

    bool empty() const noexcept { return ops_ == nullptr && !failure_; }
    bool has_value() const noexcept { return ops_ != nullptr; }
    bool has_failure() const noexcept { return static_cast<bool>(failure_); }
    /// The type of the held value (only when `has_value()`).
    const std::type_info& value_type() const noexcept { return *ops_->type; }

    template <class T, class... Args>
    void emplace(Args&&... args) {
        if (!empty()) reset();
        if constexpr (stored_inline<T>) {
            ::new (static_cast<void*>(buffer_)) T(std::forward<Args>(args)...);
        } else {
            ::new (static_cast<void*>(buffer_)) T*(new T(std::forward<Args>(args)...));
        }
        ops_ = &ops_for<T>;
    }

    /// The held value; the caller knows its type.
    template <class T>
    T& value() noexcept {
        if constexpr (stored_inline<T>)
            return *std::launder(reinterpret_cast<T*>(buffer_));
        else
            return **std::launder(reinterpret_cast<T**>(buffer_));
    }

    /// Moves the held value out and leaves the slot empty.
    template <class T>
    T take() {
        T out(std::move(value<T>()));
        if constexpr (stored_inline<T> && std::is_trivially_destructible_v<T>)
            ops_ = nullptr;  // nothing to destroy, and a failure cannot be present
        else
            reset();
        return out;
    }

    void set_failure(std::exception_ptr error) noexcept {
        if (!empty()) reset();
        failure_ = std::move(error);
    }

    std::exception_ptr take_failure() noexcept { return std::exchange(failure_, nullptr); }
    const std::exception_ptr& failure() const noexcept { return failure_; }

    /// Moves whatever `other` holds into this slot; `other` is left empty.
    void steal(ResultSlot& other) noexcept {
        reset();
        if (other.ops_) {
            other.ops_->relocate(other.buffer_, buffer_);
            ops_ = std::exchange(other.ops_, nullptr);
        }
        failure_ = std::exchange(other.failure_, nullptr);
    }

    void reset() noexcept {
        if (ops_) {
            if (ops_->destroy) ops_->destroy(buffer_);
            ops_ = nullptr;
        }
        if (failure_) failure_ = nullptr;
    }

private:
    struct Ops {
        void (*destroy)(void*) noexcept;  // null for trivially destructible inline values
        void (*relocate)(void* from, void* to) noexcept;
        const std::type_info* type;
    };

    template <class T>
    static constexpr bool stored_inline =
        sizeof(T) <= inline_bytes &&
        alignof(T) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<T>;

    template <class T>
    static void destroy_value(void* p) noexcept {
        if constexpr (stored_inline<T>)
            static_cast<T*>(p)->~T();
        else
            delete *static_cast<T**>(p);
    }

    template <class T>
    static void relocate_value(void* from, void* to) noexcept {
        if constexpr (stored_inline<T>) {
            ::new (to) T(std::move(*static_cast<T*>(from)));
            static_cast<T*>(from)->~T();
        } else {
            ::new (to) T*(*static_cast<T**>(from));
        }
    }

    template <class T>
    static constexpr Ops ops_for{
        stored_inline<T> && std::is_trivially_destructible_v<T> ? nullptr : &destroy_value<T>,
        &relocate_value<T>,
        &typeid(T),
    };

    alignas(std::max_align_t) unsigned char buffer_[inline_bytes];
    const Ops* ops_ = nullptr;
    std::exception_ptr failure_;
};

}  // namespace interloop::detail
