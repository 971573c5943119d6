#pragma once
// Feeds: items written to files as JSON lines, JSON or CSV (Scrapy's feed exports).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spider/crawler.hpp"
#include "spider/item.hpp"

namespace interloop::spider {

/// A feed's file format (Scrapy's `jsonlines`, `json` and `csv` exporters).
enum class FeedFormat { jsonlines, json, csv };

/// "jsonlines", "json" or "csv": the name used in logs, stats and the `FILE:format` form.
std::string_view format_name(FeedFormat format);

/// The format a file name's extension stands for: `.jsonl`, `.jl`, `.jsonlines` → jsonlines,
/// `.json` → json, `.csv` → csv (case-insensitive). Throws `std::invalid_argument` naming the
/// path for any other extension.
FeedFormat feed_format_for(std::string_view path);

/// One entry of FEEDS (or of `-o`): where a feed goes and in which format.
struct FeedTarget {
    std::string path;
    FeedFormat format;
};

/// Reads one feed entry: `items.jsonl` (format from the extension), or Scrapy's
/// `FILE:format` form (`items.out:json`, `-:csv`; the format names are jsonlines, jl, json
/// and csv). `-`, `stdout:` and `/dev/stdout` mean standard output, in JSON lines unless a
/// format is given. Throws `std::invalid_argument` when no format can be found.
FeedTarget parse_feed_target(std::string_view entry);

/// True for the paths FeedWriter writes to standard output: `-`, `stdout:`, `/dev/stdout`.
bool is_stdout_path(std::string_view path);

/// Writes items to one file in one format. Each item reaches the operating system (one
/// write(2)) before `write` returns, so a crash loses none of the items written so far (only
/// a JSON feed's closing `]` is then missing).
///
/// * JSON lines: one compact JSON object per line.
/// * JSON: `[`, newline, the items separated by `,` and a newline, newline, `]`, newline —
///   Scrapy's layout. An empty feed is `[]` and a newline. (Until the first item, the file is
///   empty.)
/// * CSV (RFC 4180, CRLF line ends): a header row — `fields`, or else the first item's keys —
///   written with the first item; cells are quoted when they hold `,`, `"`, CR or LF. Strings
///   are written as they are, null as an empty cell, other scalars as JSON text (numbers in
///   their shortest form), arrays as their elements joined with `,` (as Scrapy does), objects
///   as compact JSON. Missing fields are empty; fields not in the header are left out.
///
/// With `fields` set, JSON and JSON lines keep only those fields too, in that order, leaving
/// out the missing ones (Scrapy's FEED_EXPORT_FIELDS). Text is UTF-8, unescaped (Scrapy with
/// FEED_EXPORT_ENCODING = "utf-8"); JSON has no spaces after `:` and `,` (Boost.JSON's form,
/// where Python's json.dumps puts one).
///
/// The standard-output paths (`is_stdout_path`) write to file descriptor 1, which is neither
/// truncated nor closed. Move-only; closes the file when destroyed.
class FeedWriter {
public:
    /// Creates or truncates `path`. Throws `std::system_error` naming the path on failure.
    FeedWriter(std::string path, FeedFormat format, std::vector<std::string> fields = {});
    FeedWriter(FeedWriter&& other) noexcept;
    FeedWriter& operator=(FeedWriter&& other) noexcept;
    /// Closes the feed (as `close`), ignoring errors.
    ~FeedWriter();

    /// Appends `item`. Throws `std::system_error` naming the path if writing fails (the item
    /// may then be partly written), `std::logic_error` after `close`.
    void write(const Item& item);
    /// Ends the feed (JSON's `]`) and closes the file. Idempotent; throws `std::system_error`
    /// if the last write fails (the file is closed all the same).
    void close();

    /// The items written so far.
    std::size_t item_count() const noexcept { return count_; }
    const std::string& path() const noexcept { return path_; }
    FeedFormat format() const noexcept { return format_; }
    bool closed() const noexcept { return fd_ < 0; }

private:
    void append_item(const Item& item);
    void append_csv_row(const Item& item);
    void write_buffer();
    void release() noexcept;

    std::string path_;
    FeedFormat format_;
    std::vector<std::string> fields_;
    int fd_ = -1;
    bool owns_fd_ = false;
    std::size_t count_ = 0;
    std::string buffer_;  // reused between items
};

/// The FEEDS extension (Scrapy's FeedExporter): one FeedWriter per FEEDS entry
/// (`parse_feed_target`; CSV headers and field selection from FEED_EXPORT_FIELDS), each
/// scraped item written to every feed.
///
/// Files are opened (truncated) when the extension is constructed, so a bad path or format
/// fails the Crawler's construction with a clear error instead of an empty crawl. A feed
/// whose writing fails (a full disk) is logged at error level once, counted
/// `feedexport/failed_count/<format>` and written no more; the crawl goes on. At
/// `spider_closed` the feeds are closed, each stored one logged ("Stored json feed (3 items)
/// in: items.json") and counted `feedexport/success_count/<format>`.
class FeedExports : public Extension {
public:
    /// Reads FEEDS from the crawler's settings and connects item_scraped and spider_closed.
    explicit FeedExports(Crawler& crawler);
    /// The same without a Crawler: writes on `signals.item_scraped` and closes on
    /// `signals.spider_closed` (or `close()`). `stats` and `signals` must outlive it.
    FeedExports(const Settings& settings, StatsCollector& stats, Signals& signals);
    FeedExports(const FeedExports&) = delete;
    FeedExports& operator=(const FeedExports&) = delete;
    ~FeedExports() override;

    /// Writes `item` to every feed that has not failed.
    void write(const Item& item);
    /// Closes every feed, logging and counting the result. Idempotent.
    void close();

    /// The feeds, in FEEDS order.
    const std::vector<FeedWriter>& writers() const noexcept { return writers_; }

private:
    void fail(std::size_t index, const std::exception& error);

    StatsCollector& stats_;
    Signals& signals_;
    std::vector<FeedWriter> writers_;
    std::vector<bool> failed_;
    bool closed_ = false;
    std::uint64_t item_connection_ = 0;
    std::uint64_t closed_connection_ = 0;
};

}  // namespace interloop::spider
