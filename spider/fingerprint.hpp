#pragma once
// Request fingerprints: what makes two requests "the same" for the duplicate filter.

#include <array>
#include <cstdint>
#include <string>

#include "spider/request.hpp"

namespace interloop::spider {

/// A request's fingerprint: 20 bytes (SHA-1), as Scrapy's.
using Fingerprint = std::array<std::uint8_t, 20>;

/// Scrapy's default request fingerprint (`scrapy.utils.request.fingerprint`, 2.7+): SHA-1 of
/// the sorted-keys JSON of the method, the canonical URL (fragment dropped), the body in hex
/// and no headers — the same bytes as Scrapy's (checked against Scrapy 2.8), so fingerprints
/// can be shared with it (a scrapy-redis dupefilter set, for instance). One deliberate
/// difference: an explicit default port (`http://h:80/`) is dropped here, so it is the same
/// request as `http://h/`; w3lib keeps the port and fingerprints the two differently.
Fingerprint fingerprint(const Request& request);

/// The fingerprint as lower-case hex, as Scrapy's RFPDupeFilter stores it.
std::string to_hex(const Fingerprint& fp);

}  // namespace interloop::spider
