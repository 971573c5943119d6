"""The Scrapy row of the crawl benchmark (run_crawl_bench.py): the example spider, in Scrapy.

Starts at "/" of the site given by `-a base=http://127.0.0.1:PORT`, scrapes every div.quote
with CSS selectors into the items docs/examples/quotes_spider.hpp yields (text, author, tags,
page URL) and follows every `a::attr(href)` through response.follow, staying on 127.0.0.1 (the
site's offsite link is dropped by the offsite middleware). Run with Debian's Scrapy:

    /usr/bin/python3 -m scrapy runspider quotes_scrapy.py -a base=URL -a stats=FILE -O items.jsonl

`-a stats=FILE` writes the crawl's stats (Scrapy's own keys: response_received_count,
item_scraped_count, elapsed_time_seconds, ...) as JSON when the spider closes. Concurrency and
the rest are in custom_settings; the harness repeats them with -s so the command line shows them.
"""

import json

import scrapy


class QuotesSpider(scrapy.Spider):
    name = "quotes"
    allowed_domains = ["127.0.0.1"]
    custom_settings = {
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        # Scrapy 2.8 warns about the old default fingerprinter; the new one is what we match.
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def __init__(self, base="http://127.0.0.1:8080", stats=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = [base.rstrip("/") + "/"]
        self.stats_file = stats

    def start_requests(self):
        # Scrapy's default start request has dont_filter=True, which keeps "/" out of the
        # dupefilter, so the home link on every page would fetch "/" a second time. Filtered
        # like any other request, the crawl fetches exactly the manifest's URL set.
        yield scrapy.Request(self.start_urls[0], callback=self.parse)

    def parse(self, response):
        for quote in response.css("div.quote"):
            yield {
                "text": quote.css("span.text::text").get(),
                "author": quote.css("small.author::text").get(),
                "tags": quote.css("a.tag::text").getall(),
                "page": response.url,
            }
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)

    def closed(self, reason):
        # CoreStats sets elapsed_time_seconds in its own spider_closed handler, which runs
        # before this one (it connected first), so the dump has it.
        if self.stats_file:
            stats = dict(self.crawler.stats.get_stats())
            stats["finish_reason"] = reason
            with open(self.stats_file, "w", encoding="utf-8") as f:
                json.dump(stats, f, default=str, indent=1, sort_keys=True)
