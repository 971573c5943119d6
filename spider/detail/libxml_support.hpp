#pragma once
// Process and thread setup for libxml2: one-time initialization, silencing its error printing.

#include <libxml/xmlerror.h>

namespace interloop::spider::detail {

/// Initializes libxml2 once per process (thread-safe; later calls return at once). libxml2 is
/// never cleaned up (xmlCleanupParser is for the application's very end, not for a library).
void init_libxml();

/// While alive, libxml2 messages that bypass per-context error handlers (its "generic" error
/// channel, which prints to stderr, e.g. "function foo not found" during XPath evaluation) are
/// dropped on this thread; the previous handler is restored on destruction.
class LibxmlQuiet {
public:
    LibxmlQuiet();
    ~LibxmlQuiet();
    LibxmlQuiet(const LibxmlQuiet&) = delete;
    LibxmlQuiet& operator=(const LibxmlQuiet&) = delete;

private:
    xmlGenericErrorFunc saved_handler_;
    void* saved_context_;
};

}  // namespace interloop::spider::detail
