#include "spider/fingerprint.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "spider/url.hpp"

namespace interloop::spider {
namespace {

/// SHA-1 with the algorithm fetched once and a context reused per thread: OpenSSL 3's one-shot
/// SHA1() looks the algorithm up in its provider table (under a lock) on every call, which
/// cost more than the hashing itself for fingerprints.
void sha1(std::string_view data, unsigned char* out) {
    struct Digest {
        EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~Digest() {
            EVP_MD_CTX_free(ctx);
            EVP_MD_free(md);
        }
    };
    thread_local Digest digest;
    if (!digest.md || !digest.ctx || !EVP_DigestInit_ex(digest.ctx, digest.md, nullptr) ||
        !EVP_DigestUpdate(digest.ctx, data.data(), data.size()) ||
        !EVP_DigestFinal_ex(digest.ctx, out, nullptr))
        throw std::runtime_error("fingerprint: OpenSSL SHA-1 failed");
}

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
    // One buffer per thread: fingerprints are computed for every link a crawl finds.
    thread_local std::string body_hex, json;
    body_hex.clear();
    for (unsigned char c : request.body) {
        body_hex += hex_digits[c >> 4];
        body_hex += hex_digits[c & 15];
    }
    // json.dumps({"body": ..., "headers": {}, "method": ..., "url": ...}, sort_keys=True)
    json.assign("{\"body\": ");
    append_json_string(json, body_hex);
    json += ", \"headers\": {}, \"method\": ";
    append_json_string(json, request.method);
    json += ", \"url\": ";
    if (is_canonical(request.http_url()))
        append_json_string(json, request.url());
    else
        append_json_string(json, canonicalize_url(request.http_url()));
    json += '}';

    Fingerprint fp;
    sha1(json, fp.data());
    return fp;
}

std::string to_hex(const Fingerprint& fp) {
    std::string out;
    out.reserve(fp.size() * 2);
    for (std::uint8_t b : fp) out += fmt::format("{:02x}", b);
    return out;
}

}  // namespace interloop::spider
