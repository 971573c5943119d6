// crawl_floor: the strict limit of our dependencies for the crawl benchmark (benchmarks/crawl/).
//
// It fetches a fixed list of URLs with libcurl's multi_socket interface driven by libevent,
// `concurrency` transfers in flight over keep-alive connections, and parses every 200 body with
// libxml2's htmlReadMemory, extracting what the example spider extracts — each `div.quote`'s
// text (`span.text`), author (`small.author`) and tags (`a.tag`), and every `<a href>` — by a
// direct tree walk. No engine, no scheduler, no dupefilter, no URL joining, no feed: whatever
// the engine spends above this is its own overhead.
//
// Usage: crawl_floor BASE_URL PATHS_FILE [CONCURRENCY]
//   PATHS_FILE holds one path per line ("/page/3/"), appended to BASE_URL ("http://h:p").
// Prints one line of key=value pairs (pages, items, links, seconds, user/sys CPU, max RSS);
// exits 1 if a transfer fails (a status other than 200 or 404 is counted, not an error).

#include <curl/curl.h>
#include <event2/event.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

namespace {

struct Quote {
    std::string text, author;
    std::vector<std::string> tags;
};

/// What one crawl found; `checksum` sums extracted sizes so none of the work can be dropped.
struct Totals {
    long pages = 0, ok = 0, not_found = 0, other_status = 0, failed = 0;
    long items = 0, links = 0;
    std::size_t bytes = 0, checksum = 0;
};

/// Whether `n`'s class attribute contains the token `cls` (CSS `.cls`).
bool has_class(xmlNodePtr n, const char* cls) {
    xmlChar* value = xmlGetProp(n, BAD_CAST "class");
    if (value == nullptr) return false;
    const std::size_t len = std::strlen(cls);
    bool found = false;
    for (const char* p = reinterpret_cast<const char*>(value); *p != '\0' && !found;) {
        while (*p == ' ' || *p == '\t' || *p == '\n') ++p;
        const char* end = p;
        while (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\n') ++end;
        found = static_cast<std::size_t>(end - p) == len && std::strncmp(p, cls, len) == 0;
        p = end;
    }
    xmlFree(value);
    return found;
}

bool named(xmlNodePtr n, const char* name) {
    return std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

std::string content(xmlNodePtr n) {
    xmlChar* text = xmlNodeGetContent(n);
    std::string out = text != nullptr ? reinterpret_cast<char*>(text) : "";
    xmlFree(text);
    return out;
}

/// One pass over the tree: quotes open where a `div.quote` starts, links anywhere.
void walk(xmlNodePtr n, std::vector<Quote>& quotes, std::vector<std::string>& links, Quote* quote) {
    for (; n != nullptr; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        Quote* inner = quote;
        if (named(n, "div") && has_class(n, "quote")) {
            inner = &quotes.emplace_back();
        } else if (quote != nullptr && named(n, "span") && has_class(n, "text")) {
            quote->text = content(n);
        } else if (quote != nullptr && named(n, "small") && has_class(n, "author")) {
            quote->author = content(n);
        } else if (named(n, "a")) {
            if (quote != nullptr && has_class(n, "tag")) quote->tags.push_back(content(n));
            if (xmlChar* href = xmlGetProp(n, BAD_CAST "href"); href != nullptr) {
                links.emplace_back(reinterpret_cast<char*>(href));
                xmlFree(href);
            }
        }
        walk(n->children, quotes, links, inner);
    }
}

void extract(const std::string& body, Totals& totals) {
    constexpr int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                            HTML_PARSE_NONET | HTML_PARSE_COMPACT;
    // nginx declares utf-8 (`charset utf-8`), as the engine reads it from Content-Type.
    htmlDocPtr doc =
        htmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, "utf-8", options);
    if (doc == nullptr) return;
    std::vector<Quote> quotes;
    std::vector<std::string> links;
    walk(xmlDocGetRootElement(doc), quotes, links, nullptr);
    xmlFreeDoc(doc);
    for (const Quote& q : quotes) {
        totals.checksum += q.text.size() + q.author.size();
        for (const std::string& t : q.tags) totals.checksum += t.size();
    }
    for (const std::string& l : links) totals.checksum += l.size();
    totals.items += static_cast<long>(quotes.size());
    totals.links += static_cast<long>(links.size());
}

/// One reusable easy handle: when its transfer ends it takes the next URL.
struct Transfer {
    CURL* easy = nullptr;
    std::string body;
};

/// The crawl: libevent loop, curl multi handle, socket watches, the URL queue.
struct Crawl {
    event_base* base = event_base_new();
    CURLM* multi = curl_multi_init();
    event* timer = nullptr;
    std::unordered_map<curl_socket_t, event*> watches;  // one persistent event per socket
    std::vector<std::string> urls;
    std::size_t next = 0;
    Totals totals;

    /// Starts `t` on the next URL, if any is left.
    bool start(Transfer& t) {
        if (next == urls.size()) return false;
        t.body.clear();
        curl_easy_setopt(t.easy, CURLOPT_URL, urls[next++].c_str());
        curl_multi_add_handle(multi, t.easy);
        return true;
    }

    /// Reads finished transfers after every socket action: counts, parses, starts the next.
    void drain() {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Transfer* t = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
            const CURLcode result = msg->data.result;
            curl_multi_remove_handle(multi, t->easy);
            long status = 0;
            curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
            if (result != CURLE_OK) {
                fmt::print(stderr, "crawl_floor: {}\n", curl_easy_strerror(result));
                ++totals.failed;
            } else {
                ++totals.pages;
                totals.bytes += t->body.size();
                if (status == 200) {
                    ++totals.ok;
                    extract(t->body, totals);
                } else {
                    ++(status == 404 ? totals.not_found : totals.other_status);
                }
            }
            if (!start(*t) && totals.pages + totals.failed == static_cast<long>(urls.size()))
                event_base_loopbreak(base);
        }
    }

    static void on_socket_event(evutil_socket_t fd, short what, void* self) {
        auto* c = static_cast<Crawl*>(self);
        const int flags =
            ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
        int running = 0;
        curl_multi_socket_action(c->multi, fd, flags, &running);
        c->drain();
    }

    static void on_timer(evutil_socket_t, short, void* self) {
        auto* c = static_cast<Crawl*>(self);
        int running = 0;
        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        c->drain();
    }

    /// CURLMOPT_SOCKETFUNCTION: keeps one persistent watch per socket, matching what curl asks.
    static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
        auto* c = static_cast<Crawl*>(self);
        auto it = c->watches.find(fd);
        if (what == CURL_POLL_REMOVE) {
            if (it != c->watches.end()) {
                event_free(it->second);
                c->watches.erase(it);
            }
            return 0;
        }
        const short events = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                             ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
        if (it == c->watches.end()) {
            it = c->watches.emplace(fd, event_new(c->base, fd, events, on_socket_event, c)).first;
        } else {
            event_del(it->second);
            event_assign(it->second, c->base, fd, events, on_socket_event, c);
        }
        event_add(it->second, nullptr);
        return 0;
    }

    /// CURLMOPT_TIMERFUNCTION: -1 cancels; 0 means "soon" (next loop pass), never inline.
    static int on_timeout(CURLM*, long timeout_ms, void* self) {
        auto* c = static_cast<Crawl*>(self);
        if (timeout_ms < 0) {
            evtimer_del(c->timer);
        } else {
            timeval tv{timeout_ms / 1000, static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
            evtimer_add(c->timer, &tv);
        }
        return 0;
    }

    /// CURLOPT_CLOSESOCKETFUNCTION: drops the watch before the fd can be reused, since curl's
    /// "remove" notice may come late or not at all.
    static int on_close(void* self, curl_socket_t fd) {
        auto* c = static_cast<Crawl*>(self);
        if (auto it = c->watches.find(fd); it != c->watches.end()) {
            event_free(it->second);
            c->watches.erase(it);
        }
        return close(fd);
    }
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* transfer) {
    static_cast<Transfer*>(transfer)->body.append(data, size * count);
    return size * count;
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        fmt::print(stderr, "usage: crawl_floor BASE_URL PATHS_FILE [CONCURRENCY]\n");
        return 2;
    }
    const int concurrency = argc == 4 ? std::atoi(argv[3]) : 16;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();

    Crawl crawl;
    std::ifstream paths(argv[2]);
    for (std::string line; std::getline(paths, line);)
        if (!line.empty()) crawl.urls.push_back(argv[1] + line);
    if (crawl.urls.empty() || concurrency < 1) {
        fmt::print(stderr, "crawl_floor: no URLs in {} or bad concurrency\n", argv[2]);
        return 2;
    }

    crawl.timer = evtimer_new(crawl.base, Crawl::on_timer, &crawl);
    curl_multi_setopt(crawl.multi, CURLMOPT_SOCKETFUNCTION, Crawl::on_socket);
    curl_multi_setopt(crawl.multi, CURLMOPT_SOCKETDATA, &crawl);
    curl_multi_setopt(crawl.multi, CURLMOPT_TIMERFUNCTION, Crawl::on_timeout);
    curl_multi_setopt(crawl.multi, CURLMOPT_TIMERDATA, &crawl);
    curl_multi_setopt(crawl.multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(concurrency));

    std::vector<Transfer> transfers(static_cast<std::size_t>(concurrency));
    for (Transfer& t : transfers) {
        t.easy = curl_easy_init();
        t.body.reserve(16 * 1024);
        curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
        curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(t.easy, CURLOPT_CLOSESOCKETFUNCTION, Crawl::on_close);
        curl_easy_setopt(t.easy, CURLOPT_CLOSESOCKETDATA, &crawl);
        curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(t.easy, CURLOPT_USERAGENT, "crawl_floor");
    }

    const auto begin = std::chrono::steady_clock::now();
    for (Transfer& t : transfers) crawl.start(t);
    event_base_dispatch(crawl.base);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - begin;

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const Totals& s = crawl.totals;
    fmt::print(
        "pages={} ok={} not_found={} other_status={} failed={} items={} links={} bytes={} "
        "checksum={} seconds={:.3f} user_s={:.3f} sys_s={:.3f} maxrss_kb={}\n",
        s.pages, s.ok, s.not_found, s.other_status, s.failed, s.items, s.links, s.bytes, s.checksum,
        wall.count(), seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_maxrss);

    for (Transfer& t : transfers) {
        curl_multi_remove_handle(crawl.multi, t.easy);
        curl_easy_cleanup(t.easy);
    }
    curl_multi_cleanup(crawl.multi);  // closes cached connections through on_close
    for (auto& [fd, ev] : crawl.watches) event_free(ev);
    event_free(crawl.timer);
    event_base_free(crawl.base);
    xmlCleanupParser();
    curl_global_cleanup();
    return s.failed == 0 ? 0 : 1;
}
