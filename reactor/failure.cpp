#include "reactor/failure.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <typeinfo>

namespace interloop {
namespace {

std::string demangle(const char* mangled) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

}  // namespace

std::string type_name_of(const std::type_info& type) {
    return demangle(type.name());
}

Failure::Failure() : error_(std::current_exception()) {
    if (!error_) throw std::logic_error("Failure() needs a current exception");
}

Failure::Failure(std::exception_ptr error) : error_(std::move(error)) {
    if (!error_) throw std::logic_error("Failure needs a non-null exception_ptr");
}

std::string Failure::type_name() const {
    try {
        std::rethrow_exception(error_);
    } catch (const std::exception& e) {
        return demangle(typeid(e).name());
    } catch (...) {
        const std::type_info* type = abi::__cxa_current_exception_type();
        return type ? demangle(type->name()) : std::string("unknown exception");
    }
}

std::string Failure::message() const {
    try {
        std::rethrow_exception(error_);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return {};
    }
}

std::string Failure::describe() const {
    std::string text = type_name();
    if (std::string msg = message(); !msg.empty()) text += ": " + msg;
    return text;
}

}  // namespace interloop
