#include "spider/fingerprint.hpp"

#include <openssl/sha.h>

#include <fmt/format.h>

#include "spider/url.hpp"

namespace interloop::spider {
namespace {

/// Appends `text` as a JSON string the way Python's json.dumps does (ensure_ascii=True).
void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                // Canonical URLs and hex bodies are ASCII; other control bytes are escaped.
                if (c < 0x20 || c >= 0x7f)
                    out += fmt::format("\\u{:04x}", c);
                else
                    out += char(c);
        }
    }
    out += '"';
}

}  // namespace

Fingerprint fingerprint(const Request& request) {
    static constexpr char hex_digits[] = "0123456789abcdef";
    std::string body_hex;
    body_hex.reserve(request.body.size() * 2);
    for (unsigned char c : request.body) {
        body_hex += hex_digits[c >> 4];
        body_hex += hex_digits[c & 15];
    }
    // json.dumps({"body": ..., "headers": {}, "method": ..., "url": ...}, sort_keys=True)
    std::string json = "{\"body\": ";
    append_json_string(json, body_hex);
    json += ", \"headers\": {}, \"method\": ";
    append_json_string(json, request.method);
    json += ", \"url\": ";
    append_json_string(json, canonicalize_url(request.http_url()));
    json += '}';

    Fingerprint fp;
    SHA1(reinterpret_cast<const unsigned char*>(json.data()), json.size(), fp.data());
    return fp;
}

std::string to_hex(const Fingerprint& fp) {
    std::string out;
    out.reserve(fp.size() * 2);
    for (std::uint8_t b : fp) out += fmt::format("{:02x}", b);
    return out;
}

}  // namespace interloop::spider
