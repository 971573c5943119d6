#pragma once
// The CSS matcher: evaluates a compiled CSS program directly on the libxml2 tree, selecting
// exactly the node set of parsel's XPath translation, several times faster than libxml2's
// XPath engine running that translation.

#include <vector>

#include "spider/detail/css_program.hpp"

struct _xmlNode;

namespace interloop::spider::detail {

/// Appends to `out` what `program` selects with `context` as the context node: the node set
/// that `program.xpath` selects (elements, text nodes, or attribute nodes cast to `_xmlNode*`),
/// in document order, without duplicates. `context` is an element, a document or another
/// non-attribute node. Requires `!program.needs_xpath`.
void match_css(const CssProgram& program, _xmlNode* context, std::vector<_xmlNode*>& out);

}  // namespace interloop::spider::detail
