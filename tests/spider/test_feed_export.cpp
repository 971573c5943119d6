// Feeds: the exact bytes of each format, items on disk before close (and after a crash),
// errors; the FeedExports extension driven through Signals.
#include "spider/feed_export.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <system_error>
#include <vector>

#include "reactor/log.hpp"
#include "tests/spider/feed_testing.hpp"
#include "tests/support/log_capture.hpp"

using namespace interloop;
using namespace interloop::spider;
using interloop::testing::LogCapture;
using interloop::testing::read_file;
using interloop::testing::TempDir;

namespace {

std::size_t count_at(const LogCapture& logs, log::Level level) {
    std::size_t n = 0;
    for (const auto& line : logs.lines) n += line.level == level;
    return n;
}

void send_item(Signals& signals, const Item& item) {
    signals.item_scraped.send_with([](std::exception_ptr) { BOOST_FAIL("handler threw"); }, item,
                                   nullptr);
}

const Item quote{{"text", "“Déjà vu”, he said \"twice\""},
                 {"author", "Zoë"},
                 {"tags", boost::json::array{"life", "love"}}};
const Item other{{"text", "line one\nline two"},
                 {"author", nullptr},
                 {"meta", boost::json::object{{"n", 2}, {"ok", true}}}};

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_formats)

BOOST_AUTO_TEST_CASE(format_comes_from_the_extension) {
    BOOST_TEST((feed_format_for("out/items.jsonl") == FeedFormat::jsonlines));
    BOOST_TEST((feed_format_for("items.jl") == FeedFormat::jsonlines));
    BOOST_TEST((feed_format_for("items.JSONLINES") == FeedFormat::jsonlines));
    BOOST_TEST((feed_format_for("items.json") == FeedFormat::json));
    BOOST_TEST((feed_format_for("a.b/items.csv") == FeedFormat::csv));
    for (const char* bad : {"items.txt", "items", "json", "dir.json/items"}) {
        try {
            feed_format_for(bad);
            BOOST_FAIL("no error for " << bad);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find(std::string("'") + bad + "'") !=
                       std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(feed_entries_accept_a_format_suffix_and_stdout) {
    auto check = [](const char* entry, const char* path, FeedFormat format) {
        FeedTarget t = parse_feed_target(entry);
        BOOST_TEST(t.path == path);
        BOOST_TEST((t.format == format));
    };
    check("items.json", "items.json", FeedFormat::json);
    check("items.out:csv", "items.out", FeedFormat::csv);
    check("items.json:jl", "items.json", FeedFormat::jsonlines);
    check("-", "-", FeedFormat::jsonlines);
    check("-:json", "-", FeedFormat::json);
    check("stdout:", "stdout:", FeedFormat::jsonlines);
    check("/dev/stdout:csv", "/dev/stdout", FeedFormat::csv);
    check("dir:x/items.csv", "dir:x/items.csv", FeedFormat::csv);
    BOOST_CHECK_THROW(parse_feed_target("items.out:xml"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_feed_target(":json"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_writer)

BOOST_AUTO_TEST_CASE(json_lines_is_one_compact_object_per_line) {
    TempDir dir;
    FeedWriter w(dir.file("items.jsonl"), FeedFormat::jsonlines);
    w.write(quote);
    w.write(other);
    w.write(Item{{"n", 3}, {"x", 1.5}});
    w.close();
    BOOST_TEST(w.item_count() == 3u);
    BOOST_TEST(read_file(dir.file("items.jsonl")) ==
               "{\"text\":\"“Déjà vu”, he said \\\"twice\\\"\",\"author\":\"Zoë\","
               "\"tags\":[\"life\",\"love\"]}\n"
               "{\"text\":\"line one\\nline two\",\"author\":null,\"meta\":{\"n\":2,\"ok\":true}}\n"
               "{\"n\":3,\"x\":1.5E0}\n");
}

BOOST_AUTO_TEST_CASE(json_is_scrapys_array_layout) {
    TempDir dir;
    FeedWriter w(dir.file("items.json"), FeedFormat::json);
    w.write(Item{{"a", 1}});
    w.write(Item{{"b", "é"}});
    w.close();
    BOOST_TEST(read_file(dir.file("items.json")) == "[\n{\"a\":1},\n{\"b\":\"é\"}\n]\n");
    auto parsed = boost::json::parse(read_file(dir.file("items.json")));
    BOOST_TEST(parsed.as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_empty_json_feed_is_an_empty_array) {
    TempDir dir;
    FeedWriter w(dir.file("items.json"), FeedFormat::json);
    BOOST_TEST(read_file(dir.file("items.json")) == "");  // created at once
    w.close();
    BOOST_TEST(read_file(dir.file("items.json")) == "[]\n");
    FeedWriter lines(dir.file("items.jsonl"), FeedFormat::jsonlines);
    lines.close();
    BOOST_TEST(read_file(dir.file("items.jsonl")) == "");
}

BOOST_AUTO_TEST_CASE(csv_header_comes_from_the_first_item_and_cells_are_rfc4180) {
    TempDir dir;
    FeedWriter w(dir.file("items.csv"), FeedFormat::csv);
    w.write(quote);
    // author missing, a field not in the header dropped, a nested object, a null.
    w.write(Item{{"tags", boost::json::array{"a,b", 2, true, nullptr}},
                 {"text", "line one\nline two"},
                 {"extra", "dropped"}});
    w.write(Item{{"text", boost::json::object{{"k", "v"}}}, {"author", nullptr}, {"tags", 2.5}});
    w.close();
    BOOST_TEST(read_file(dir.file("items.csv")) ==
               "text,author,tags\r\n"
               "\"“Déjà vu”, he said \"\"twice\"\"\",Zoë,\"life,love\"\r\n"
               "\"line one\nline two\",,\"a,b,2,true,\"\r\n"
               "\"{\"\"k\"\":\"\"v\"\"}\",,2.5\r\n");
}

BOOST_AUTO_TEST_CASE(fields_choose_and_order_the_columns) {
    TempDir dir;
    FeedWriter csv(dir.file("items.csv"), FeedFormat::csv, {"author", "missing", "text"});
    FeedWriter jl(dir.file("items.jsonl"), FeedFormat::jsonlines, {"author", "missing", "text"});
    for (FeedWriter* w : {&csv, &jl}) {
        w->write(Item{{"text", "t"}, {"author", "a"}, {"other", 1}});
        w->close();
    }
    BOOST_TEST(read_file(dir.file("items.csv")) == "author,missing,text\r\na,,t\r\n");
    BOOST_TEST(read_file(dir.file("items.jsonl")) == "{\"author\":\"a\",\"text\":\"t\"}\n");
    // A one-column row with an empty cell is quoted, or it would read as a blank line.
    FeedWriter one(dir.file("one.csv"), FeedFormat::csv, {"x"});
    one.write(Item{{"y", 1}});
    one.close();
    BOOST_TEST(read_file(dir.file("one.csv")) == "x\r\n\"\"\r\n");
}

BOOST_AUTO_TEST_CASE(each_item_is_in_the_file_when_write_returns) {
    TempDir dir;
    FeedWriter json(dir.file("items.json"), FeedFormat::json);
    FeedWriter csv(dir.file("items.csv"), FeedFormat::csv);
    json.write(Item{{"a", 1}});
    csv.write(Item{{"a", 1}});
    BOOST_TEST(read_file(dir.file("items.json")) == "[\n{\"a\":1}");
    BOOST_TEST(read_file(dir.file("items.csv")) == "a\r\n1\r\n");
    json.write(Item{{"a", 2}});
    BOOST_TEST(read_file(dir.file("items.json")) == "[\n{\"a\":1},\n{\"a\":2}");
}

BOOST_AUTO_TEST_CASE(items_survive_a_crash_before_close) {
    TempDir dir;
    for (bool killed : {false, true}) {
        std::string path = dir.file(killed ? "killed.jsonl" : "exited.jsonl");
        pid_t child = ::fork();
        BOOST_REQUIRE(child >= 0);
        if (child == 0) {
            // No Boost.Test in here: the child ends without unwinding, closing or flushing.
            FeedWriter w(path, FeedFormat::jsonlines);
            for (int i = 0; i < 3; ++i) w.write(Item{{"i", i}});
            if (killed) ::kill(::getpid(), SIGKILL);
            ::_exit(0);
        }
        int status = 0;
        BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
        BOOST_TEST((killed ? WIFSIGNALED(status) : WIFEXITED(status)));
        BOOST_TEST(read_file(path) == "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
    }
}

BOOST_AUTO_TEST_CASE(close_is_idempotent_and_final) {
    TempDir dir;
    FeedWriter w(dir.file("items.json"), FeedFormat::json);
    w.write(Item{{"a", 1}});
    w.close();
    w.close();
    BOOST_TEST(w.closed());
    BOOST_CHECK_THROW(w.write(Item{{"a", 2}}), std::logic_error);
    BOOST_TEST(read_file(dir.file("items.json")) == "[\n{\"a\":1}\n]\n");
}

BOOST_AUTO_TEST_CASE(destroying_a_writer_closes_its_feed) {
    TempDir dir;
    {
        FeedWriter w(dir.file("items.json"), FeedFormat::json);
        w.write(Item{{"a", 1}});
        FeedWriter moved = std::move(w);
        moved.write(Item{{"a", 2}});
    }
    BOOST_TEST(read_file(dir.file("items.json")) == "[\n{\"a\":1},\n{\"a\":2}\n]\n");
}

BOOST_AUTO_TEST_CASE(open_and_write_errors_name_the_file) {
    try {
        FeedWriter w("/nonexistent-interloop-dir/items.jsonl", FeedFormat::jsonlines);
        BOOST_FAIL("opened a file in a missing directory");
    } catch (const std::system_error& e) {
        BOOST_TEST((e.code() == std::errc::no_such_file_or_directory));
        BOOST_TEST(std::string(e.what()).find("'/nonexistent-interloop-dir/items.jsonl'") !=
                   std::string::npos);
    }
    // /dev/full fails every write with ENOSPC: a full disk.
    FeedWriter full("/dev/full", FeedFormat::json);
    try {
        full.write(Item{{"a", 1}});
        BOOST_FAIL("wrote to a full disk");
    } catch (const std::system_error& e) {
        BOOST_TEST((e.code() == std::errc::no_space_on_device));
        BOOST_TEST(std::string(e.what()).find("'/dev/full'") != std::string::npos);
    }
    BOOST_TEST(full.item_count() == 0u);
    BOOST_CHECK_THROW(full.close(), std::system_error);
    BOOST_TEST(full.closed());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_exports)

BOOST_AUTO_TEST_CASE(every_scraped_item_goes_to_every_feed) {
    TempDir dir;
    LogCapture logs;
    Settings settings{{"FEEDS", dir.file("a.jsonl") + ", " + dir.file("b.out:json")}};
    StatsCollector stats;
    Signals signals;
    {
        FeedExports feeds(settings, stats, signals);
        send_item(signals, Item{{"a", 1}});
        send_item(signals, Item{{"a", 2}});
        BOOST_TEST(read_file(dir.file("a.jsonl")) == "{\"a\":1}\n{\"a\":2}\n");
        feeds.close();
        feeds.close();
        send_item(signals, Item{{"a", 3}});  // after the close: ignored
    }
    BOOST_TEST(signals.item_scraped.empty());
    BOOST_TEST(signals.spider_closed.empty());
    BOOST_TEST(read_file(dir.file("b.out")) == "[\n{\"a\":1},\n{\"a\":2}\n]\n");
    BOOST_TEST(stats.get_int("feedexport/success_count/jsonlines") == 1);
    BOOST_TEST(stats.get_int("feedexport/success_count/json") == 1);
    BOOST_REQUIRE(logs.lines.size() == 2u);
    BOOST_TEST(logs.lines[0].logger == "interloop.extensions.feedexport");
    BOOST_TEST(logs.lines[0].message ==
               "Stored jsonlines feed (2 items) in: " + dir.file("a.jsonl"));
    BOOST_TEST(logs.lines[1].message == "Stored json feed (2 items) in: " + dir.file("b.out"));
}

BOOST_AUTO_TEST_CASE(csv_feeds_use_feed_export_fields) {
    TempDir dir;
    LogCapture logs;
    Settings settings{{"FEEDS", dir.file("items.csv")}, {"FEED_EXPORT_FIELDS", "b, a"}};
    StatsCollector stats;
    Signals signals;
    FeedExports feeds(settings, stats, signals);
    send_item(signals, Item{{"a", 1}, {"b", 2}, {"c", 3}});
    feeds.close();
    BOOST_TEST(read_file(dir.file("items.csv")) == "b,a\r\n2,1\r\n");
}

BOOST_AUTO_TEST_CASE(a_failing_feed_is_reported_once_and_the_others_go_on) {
    TempDir dir;
    LogCapture logs;
    Settings settings{{"FEEDS", "/dev/full:jsonlines," + dir.file("ok.jsonl")}};
    StatsCollector stats;
    Signals signals;
    FeedExports feeds(settings, stats, signals);
    for (int i = 0; i < 3; ++i) send_item(signals, Item{{"i", i}});
    feeds.close();
    BOOST_TEST(read_file(dir.file("ok.jsonl")) == "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
    BOOST_TEST(stats.get_int("feedexport/failed_count/jsonlines") == 1);
    BOOST_TEST(stats.get_int("feedexport/success_count/jsonlines") == 1);
    BOOST_TEST(count_at(logs, log::Level::error) == 1u);
    BOOST_TEST(logs.lines[0].message.find("Error storing jsonlines feed (0 items) in: /dev/full") ==
               0u);
}

BOOST_AUTO_TEST_CASE(bad_feeds_fail_the_construction) {
    StatsCollector stats;
    Signals signals;
    BOOST_CHECK_THROW(FeedExports(Settings{{"FEEDS", "items.txt"}}, stats, signals),
                      std::invalid_argument);
    BOOST_CHECK_THROW(
        FeedExports(Settings{{"FEEDS", "/nonexistent-interloop-dir/a.json"}}, stats, signals),
        std::system_error);
    BOOST_TEST(signals.item_scraped.empty());
    FeedExports none(Settings{}, stats, signals);  // no FEEDS: nothing to do
    BOOST_TEST(none.writers().empty());
    BOOST_TEST(signals.item_scraped.empty());
}

BOOST_AUTO_TEST_SUITE_END()
