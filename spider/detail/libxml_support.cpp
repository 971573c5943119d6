#include "spider/detail/libxml_support.hpp"

#include <libxml/parser.h>

#include <mutex>

namespace interloop::spider::detail {
namespace {

void drop_message(void*, const char*, ...) {}

}  // namespace

void init_libxml() {
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
}

LibxmlQuiet::LibxmlQuiet()
    : saved_handler_(xmlGenericError), saved_context_(xmlGenericErrorContext) {
    xmlSetGenericErrorFunc(nullptr, &drop_message);
}

LibxmlQuiet::~LibxmlQuiet() {
    xmlSetGenericErrorFunc(saved_context_, saved_handler_);
}

}  // namespace interloop::spider::detail
