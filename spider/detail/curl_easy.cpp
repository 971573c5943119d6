// EasyHandle: libcurl easy options, and the header and body callbacks.

#include "spider/detail/curl_easy.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string_view>

namespace interloop::spider::detail {

namespace {

struct CurlGlobal {
    CurlGlobal() {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("curl_global_init failed");
    }
    ~CurlGlobal() { curl_global_cleanup(); }
};

template <class Value>
void set(CURL* handle, CURLoption option, Value value) {
    const CURLcode rc = curl_easy_setopt(handle, option, value);
    if (rc != CURLE_OK)
        throw std::runtime_error(std::string("curl_easy_setopt: ") + curl_easy_strerror(rc));
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

void ensure_curl_global_init() {
    static CurlGlobal global;
}

DownloadErrorReason reason_for_curl_code(int code) noexcept {
    using R = DownloadErrorReason;
    switch (static_cast<CURLcode>(code)) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return R::dns;
        case CURLE_COULDNT_CONNECT:
            return R::connect;
        case CURLE_OPERATION_TIMEDOUT:
            return R::timeout;
        case CURLE_FILESIZE_EXCEEDED:
            return R::too_large;
        case CURLE_TOO_MANY_REDIRECTS:
            return R::too_many_redirects;
        case CURLE_UNSUPPORTED_PROTOCOL:
            return R::bad_scheme;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return R::connection_lost;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_CLIENTCERT:
            return R::tls;
        default:
            return R::other;
    }
}

EasyHandle::EasyHandle(const DownloaderSettings& settings, const SocketCallbacks& sockets)
    : maxsize_(settings.download_maxsize) {
    handle_ = curl_easy_init();
    if (handle_ == nullptr) throw std::runtime_error("curl_easy_init failed");
    try {
        set(handle_, CURLOPT_PRIVATE, static_cast<void*>(this));
        set(handle_, CURLOPT_WRITEFUNCTION, &EasyHandle::on_body);
        set(handle_, CURLOPT_WRITEDATA, static_cast<void*>(this));
        set(handle_, CURLOPT_HEADERFUNCTION, &EasyHandle::on_header);
        set(handle_, CURLOPT_HEADERDATA, static_cast<void*>(this));
        set(handle_, CURLOPT_OPENSOCKETFUNCTION, sockets.open);
        set(handle_, CURLOPT_OPENSOCKETDATA, sockets.owner);
        set(handle_, CURLOPT_CLOSESOCKETFUNCTION, sockets.close);
        set(handle_, CURLOPT_CLOSESOCKETDATA, sockets.owner);
        set(handle_, CURLOPT_ERRORBUFFER, error_);
        set(handle_, CURLOPT_NOSIGNAL, 1L);
        set(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
        set(handle_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        set(handle_, CURLOPT_FOLLOWLOCATION, settings.redirect_enabled ? 1L : 0L);
        set(handle_, CURLOPT_MAXREDIRS, static_cast<long>(settings.redirect_max_times));
        if (settings.compression) set(handle_, CURLOPT_ACCEPT_ENCODING, "");
        set(handle_, CURLOPT_HTTP_VERSION,
            settings.http2 ? long(CURL_HTTP_VERSION_2TLS) : long(CURL_HTTP_VERSION_1_1));
        if (settings.http2) set(handle_, CURLOPT_PIPEWAIT, 1L);
        const double timeout_ms = settings.download_timeout.count() * 1000.0;
        if (timeout_ms > 0.0) set(handle_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms + 0.5));
        set(handle_, CURLOPT_USERAGENT, settings.user_agent.c_str());
        set(handle_, CURLOPT_SSL_VERIFYPEER, settings.tls_verify ? 1L : 0L);
        set(handle_, CURLOPT_SSL_VERIFYHOST, settings.tls_verify ? 2L : 0L);
    } catch (...) {
        curl_easy_cleanup(handle_);
        throw;
    }
}

EasyHandle::~EasyHandle() {
    reset();
    curl_easy_cleanup(handle_);
}

EasyHandle* EasyHandle::from(CURL* handle) noexcept {
    void* self = nullptr;
    curl_easy_getinfo(handle, CURLINFO_PRIVATE, &self);
    return static_cast<EasyHandle*>(self);
}

void EasyHandle::prepare(Transfer& transfer) {
    const Request& request = transfer.request();
    transfer_ = &transfer;
    status_ = 0;
    too_large_ = out_of_memory_ = false;
    error_[0] = '\0';
    try {
        set(handle_, CURLOPT_URL, request.url().c_str());
        // Options a previous request may have changed are set every time.
        set(handle_, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
        const bool head = request.method == "HEAD";
        const bool has_body = !request.body.empty() || request.method == "POST";
        if (head) {
            set(handle_, CURLOPT_NOBODY, 1L);
        } else if (!has_body) {
            set(handle_, CURLOPT_HTTPGET, 1L);
        } else {
            set(handle_, CURLOPT_NOBODY, 0L);
            set(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
            set(handle_, CURLOPT_POSTFIELDS, request.body.data());
        }
        if (!head && request.method != "GET" && request.method != "POST")
            set(handle_, CURLOPT_CUSTOMREQUEST, request.method.c_str());

        std::string line;
        for (const auto& [name, value] : request.headers) {
            line.assign(name);
            line += value.empty() ? ";" : ": ";  // "Name;" sends an empty header
            line += value;
            curl_slist* grown = curl_slist_append(request_headers_, line.c_str());
            if (grown == nullptr) throw std::bad_alloc();
            request_headers_ = grown;
        }
        if (has_body && !request.headers.contains("Expect")) {
            // No "Expect: 100-continue" round trip before sending a body.
            curl_slist* grown = curl_slist_append(request_headers_, "Expect:");
            if (grown == nullptr) throw std::bad_alloc();
            request_headers_ = grown;
        }
        set(handle_, CURLOPT_HTTPHEADER, request_headers_);
    } catch (...) {
        reset();
        throw;
    }
}

void EasyHandle::complete() {
    Response& response = transfer_->response();
    long code = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
    long redirects = 0;
    curl_easy_getinfo(handle_, CURLINFO_REDIRECT_COUNT, &redirects);
    response.redirects = static_cast<int>(redirects);
    if (redirects > 0) {
        const char* url = nullptr;
        curl_easy_getinfo(handle_, CURLINFO_EFFECTIVE_URL, &url);
        if (url != nullptr) response.url = url;
    }
    long version = 0;
    curl_easy_getinfo(handle_, CURLINFO_HTTP_VERSION, &version);
    switch (version) {
        case CURL_HTTP_VERSION_1_0:
            response.protocol = "HTTP/1.0";
            break;
        case CURL_HTTP_VERSION_1_1:
            response.protocol = "HTTP/1.1";
            break;
        case CURL_HTTP_VERSION_2_0:
            response.protocol = "HTTP/2";
            break;
        case CURL_HTTP_VERSION_3:
            response.protocol = "HTTP/3";
            break;
        default:
            response.protocol.clear();
            break;
    }
}

DownloadErrorReason EasyHandle::reason(CURLcode code) const noexcept {
    if (too_large_) return DownloadErrorReason::too_large;
    if (out_of_memory_) return DownloadErrorReason::other;
    return reason_for_curl_code(code);
}

std::string EasyHandle::message(CURLcode code) const {
    if (too_large_)
        return "the response is larger than DOWNLOAD_MAXSIZE (" + std::to_string(maxsize_) +
               " bytes)";
    if (out_of_memory_) return "out of memory while receiving the response";
    return error_[0] != '\0' ? std::string(error_) : std::string(curl_easy_strerror(code));
}

void EasyHandle::reset() noexcept {
    transfer_ = nullptr;
    if (request_headers_ != nullptr) {
        curl_slist_free_all(request_headers_);
        request_headers_ = nullptr;
    }
}

std::size_t EasyHandle::on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto& easy = *static_cast<EasyHandle*>(self);
    const std::size_t bytes = size * count;
    std::string& body = easy.transfer_->response().body;
    if (easy.maxsize_ != 0 && bytes > easy.maxsize_ - std::min(body.size(), easy.maxsize_)) {
        easy.too_large_ = true;
        return CURL_WRITEFUNC_ERROR;
    }
    try {
        body.append(data, bytes);
    } catch (...) {
        easy.out_of_memory_ = true;
        return CURL_WRITEFUNC_ERROR;
    }
    return bytes;
}

std::size_t EasyHandle::on_header(char* data, std::size_t size, std::size_t count, void* self) {
    auto& easy = *static_cast<EasyHandle*>(self);
    const std::size_t bytes = size * count;
    try {
        return easy.header_line(std::string_view(data, bytes)) ? bytes : 0;
    } catch (...) {
        easy.out_of_memory_ = true;
        return 0;
    }
}

// One header line of any response of the transfer (1xx, each redirect, the final one). Each
// status line starts a new response: only the last one's headers and body are kept.
bool EasyHandle::header_line(std::string_view line) {
    Response& response = transfer_->response();
    if (line.starts_with("HTTP/")) {
        response.headers.clear();
        response.body.clear();
        status_ = 0;
        const std::size_t space = line.find(' ');
        if (space != std::string_view::npos) {
            const char* first = line.data() + space + 1;
            std::from_chars(first, line.data() + line.size(), status_);
        }
        return true;
    }
    if (line.empty() || line.front() == ' ' || line.front() == '\t')
        return true;  // obsolete line folding: dropped
    line = trim(line);
    const std::size_t colon = line.find(':');
    if (line.empty() || colon == std::string_view::npos) return true;  // end of headers
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    const int kind = status_ / 100;
    if (kind != 1 && kind != 3 && iequals(name, "Content-Length")) {
        std::uint64_t length = 0;
        std::from_chars(value.data(), value.data() + value.size(), length);
        if (maxsize_ != 0 && length > maxsize_) {
            too_large_ = true;
            return false;
        }
        constexpr std::uint64_t max_reserve = std::uint64_t(64) << 20;
        response.body.reserve(static_cast<std::size_t>(std::min(length, max_reserve)));
    }
    response.headers.add(std::string(name), std::string(value));
    return true;
}

}  // namespace interloop::spider::detail
