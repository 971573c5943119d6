#pragma once
// The "<code> <reason phrase>" text Scrapy gives an HTTP status in retry stats and logs.

#include <string>
#include <string_view>

namespace interloop::spider {

/// The reason phrase Twisted's `http.RESPONSES` table gives `status` ("Not Found" for 404),
/// or "Unknown Status" for a status missing from that table (429, 522, ...). Scrapy names
/// retry reasons with it, so the text follows Twisted's spelling exactly, quirks included
/// ("Request Time-out", "Gateway Time-out").
std::string_view status_reason_phrase(int status) noexcept;

/// "503 Service Unavailable": Scrapy's `response_status_message`.
std::string status_message(int status);

}  // namespace interloop::spider
