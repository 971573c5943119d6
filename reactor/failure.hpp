#pragma once
// Failure: an exception captured as a value, the error half of a Deferred's result.

#include <exception>
#include <string>
#include <typeinfo>

namespace interloop {

/// An error travelling down a Deferred chain. It keeps the original exception (as an
/// `exception_ptr`), so after crossing any boundary the user can still catch it by type.
/// Copies share the exception object.
class Failure {
public:
    /// Captures `std::current_exception()`; call it from inside a catch block.
    Failure();
    explicit Failure(std::exception_ptr error);

    /// Wraps an exception object: `Failure::from(std::runtime_error("x"))`.
    template <class E>
    static Failure from(E error) {
        return Failure(std::make_exception_ptr(std::move(error)));
    }

    /// True if the exception is an `E` (or derives from it).
    template <class E>
    bool check() const {
        try {
            std::rethrow_exception(error_);
        } catch (const E&) {
            return true;
        } catch (...) {
            return false;
        }
    }

    /// The exception as an `E` (or a type derived from it), or nullptr if it is not one. The
    /// pointer stays valid as long as this Failure or a copy of it lives.
    template <class E>
    const E* get() const {
        try {
            std::rethrow_exception(error_);
        } catch (const E& error) {
            return &error;
        } catch (...) {
            return nullptr;
        }
    }

    /// Returns the 0-based position of the first of `Es...` that matches; rethrows the
    /// original exception when none does (Twisted's `Failure.trap`: use it in an errback to
    /// let other errors pass through).
    template <class... Es>
    std::size_t trap() const {
        std::size_t index = 0;
        if (((check<Es>() || (++index, false)) || ...)) return index;
        raise();
    }

    /// Rethrows the original exception.
    [[noreturn]] void raise() const { std::rethrow_exception(error_); }

    /// The demangled dynamic type of the exception, e.g. `std::runtime_error`.
    std::string type_name() const;
    /// `what()` of a `std::exception`, empty for other types.
    std::string message() const;
    /// "type: message", as the unhandled-error log line shows it.
    std::string describe() const;

    const std::exception_ptr& exception() const noexcept { return error_; }

private:
    std::exception_ptr error_;
};

/// The demangled name of a type, e.g. `std::__cxx11::basic_string<char, ...>`.
std::string type_name_of(const std::type_info& type);

}  // namespace interloop
