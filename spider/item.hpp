#pragma once
// Item and Output: what a spider callback produces.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <variant>
#include <vector>

#include "spider/request.hpp"

namespace interloop::spider {

/// A scraped record (Scrapy's item as a dict): named fields keeping their insertion order,
/// whose values are JSON values — strings, numbers, booleans, null, arrays and nested objects.
/// Feed exporters write the fields in that order.
///
/// ```cpp
/// Item quote{{"text", text}, {"author", author}, {"tags", boost::json::array{"life", "love"}}};
/// quote["url"] = response.url;
/// ```
using Item = boost::json::object;

/// One thing a callback yields: an item for the pipelines, or a request for the scheduler.
using Output = std::variant<Item, Request>;

/// What a plain callback returns: its outputs, processed in order.
using Outputs = std::vector<Output>;

}  // namespace interloop::spider
