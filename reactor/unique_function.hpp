#pragma once
// A move-only type-erased callable with inline storage for small captures.

#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace interloop {

template <class Signature, std::size_t InlineBytes = 48>
class UniqueFunction;

/// A move-only `std::function`: holds any callable (including ones that capture move-only
/// objects such as Deferreds or unique_ptrs). Callables of up to `InlineBytes` bytes that are
/// nothrow-movable are stored inline, so building and calling one does not allocate.
template <class R, class... Args, std::size_t InlineBytes>
class UniqueFunction<R(Args...), InlineBytes> {
public:
    UniqueFunction() noexcept = default;
    UniqueFunction(std::nullptr_t) noexcept {}

    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, UniqueFunction> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
        UniqueFunction(F&& f) {  // NOLINT: implicit like std::function
        using Fn = std::decay_t<F>;
        if constexpr (stored_inline<Fn>) {
            ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
            ops_ = &inline_ops<Fn>;
        } else {
            ::new (static_cast<void*>(storage_)) Fn*(new Fn(std::forward<F>(f)));
            ops_ = &heap_ops<Fn>;
        }
    }

    UniqueFunction(UniqueFunction&& other) noexcept : ops_(other.ops_) {
        if (ops_) {
            ops_->relocate(other.storage_, storage_);
            other.ops_ = nullptr;
        }
    }

    UniqueFunction& operator=(UniqueFunction&& other) noexcept {
        if (this != &other) {
            reset();
            if (other.ops_) {
                other.ops_->relocate(other.storage_, storage_);
                ops_ = std::exchange(other.ops_, nullptr);
            }
        }
        return *this;
    }

    UniqueFunction& operator=(std::nullptr_t) noexcept {
        reset();
        return *this;
    }

    ~UniqueFunction() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    R operator()(Args... args) { return ops_->invoke(storage_, std::forward<Args>(args)...); }

private:
    struct Ops {
        R (*invoke)(void*, Args&&...);
        void (*relocate)(void* from, void* to) noexcept;
        void (*destroy)(void*) noexcept;
    };

    template <class Fn>
    static constexpr bool stored_inline =
        sizeof(Fn) <= InlineBytes &&
        alignof(Fn) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<Fn>;

    template <class Fn>
    static constexpr Ops inline_ops{
        [](void* s, Args&&... args) -> R {
            return std::invoke(*static_cast<Fn*>(s), std::forward<Args>(args)...);
        },
        [](void* from, void* to) noexcept {
            auto* f = static_cast<Fn*>(from);
            ::new (to) Fn(std::move(*f));
            f->~Fn();
        },
        [](void* s) noexcept { static_cast<Fn*>(s)->~Fn(); },
    };

    template <class Fn>
    static constexpr Ops heap_ops{
        [](void* s, Args&&... args) -> R {
            return std::invoke(**static_cast<Fn**>(s), std::forward<Args>(args)...);
        },
        [](void* from, void* to) noexcept { ::new (to) Fn*(*static_cast<Fn**>(from)); },
        [](void* s) noexcept { delete *static_cast<Fn**>(s); },
    };

    void reset() noexcept {
        if (ops_) std::exchange(ops_, nullptr)->destroy(storage_);
    }

    alignas(std::max_align_t) unsigned char storage_[InlineBytes];
    const Ops* ops_ = nullptr;
};

}  // namespace interloop
