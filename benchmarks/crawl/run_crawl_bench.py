#!/usr/bin/python3
"""The crawl benchmark: wrk, a bare libcurl+libxml2 floor, this engine and Scrapy crawling the
same generated quotes site served by nginx on 127.0.0.1, at 16 concurrent requests.

Run through `benchmarks/run crawl` (which installs nginx-light, wrk and python3-scrapy if
missing and builds build-release), or directly with Debian's Python (stdlib only; the pyenv
`python3` on PATH has no Scrapy, so Scrapy is always run by /usr/bin/python3):

    /usr/bin/python3 benchmarks/crawl/run_crawl_bench.py [--build build-release] [--pages 5000]
        [--scrapy-pages N] [--wrk-seconds 5] [--keep]

What one run does:

1. `generate_site --pages 5000` writes the site into a fresh temp dir (5,000 listing pages;
   ~8,500 pages reachable from "/" and ~1,850 linked 404s), with manifest.json.
2. nginx serves it on 127.0.0.1 on a free port, from its own config in the temp dir (pid,
   logs, temp paths there; no root needed): `daemon off` as our child (stopped in a `finally`,
   and by PR_SET_PDEATHSIG if this script dies), `worker_processes 1` (this VM has 2 cores: one
   for nginx, one for the single-threaded client being measured), access_log off,
   log_not_found off (every linked 404 would otherwise write an error line), keep-alive with an
   unlimited-in-practice keepalive_requests, sendfile, open_file_cache, gzip off, `charset
   utf-8` (Content-Type says utf-8, as the demo's own server does).
3. The rows, one after the other, all at 16 concurrent requests over one URL set: the
   manifest's `reachable` paths plus its `not_found` paths (the 404s a crawler following every
   link requests too). The crawlers (engine, Scrapy) discover them by following links from "/"
   with a dupefilter; wrk and the floor read the list (reachable first, then the 404s).
   (a) wrk, 1 thread, 16 connections, a Lua script cycling through the list: the server's
       ceiling (req/s only).
   (b) build/benchmarks/crawl_floor: libcurl multi_socket on libevent, libxml2 htmlReadMemory
       and a direct tree walk extracting what the spider extracts; no engine.
   (c) build/docs/examples/quotes_crawl: this engine with the example spider ("not built" if
       the binary is missing), once per spider style (`--style callback|deferred|coroutine`:
       the same spider as a plain callback, a Deferred callback and a coroutine that co_yields
       each output). The styles run in turns, `--engine-rounds` times (default 2:
       callback, deferred, coroutine, callback, ...), and each style's best round is shown, so
       a drift of the VM's speed during the run hits every style alike.
   (d) Scrapy (Debian's python3-scrapy) with quotes_scrapy.py, the same spider. Scrapy does
       ~125 pages/s here (~80 s for the full site); `--scrapy-pages N` (or env
       CRAWL_BENCH_SCRAPY_PAGES=N) stops it after ~N pages (CLOSESPIDER_PAGECOUNT) to save time:
       its per-page figures stay comparable, its URL set and peak RSS then do not (flagged
       "subset"). Default: the full site.

Measures: pages = responses received (200 and 404); items = quotes scraped. pages/s and items/s
use the crawl's own elapsed time: `elapsed_time_seconds` from the stats JSON for the engine and
Scrapy, the floor's printed `seconds` (first request to last response). CPU µs/page and peak RSS
are whole-process figures of the child, start-up and shutdown included: CPU is user+sys from
os.wait4; peak RSS is the child's VmHWM (/proc/PID/status, read every 10 ms until it exits)
rather than ru_maxrss, because Linux keeps in a child's ru_maxrss the RSS it had between fork
and exec — a copy of this Python process's (~20 MB, more than the floor's own peak). Each
crawler's 200/404 counts and items are checked against the manifest (reachable pages, linked
404s, quotes) and a mismatch is flagged in the table; the floor's link count is checked too.
The feed's line count must equal item_scraped_count. A load average above 1.5 is reported: the
figures only mean something on an otherwise idle machine.

Nothing leaves the machine: every URL is http://127.0.0.1:PORT/..., proxy variables are removed
from the children's environment (libcurl and Scrapy would honour them) and no_proxy is set; the
site's one off-site link (http://offsite.invalid/) must be dropped by the crawlers' offsite
filters, and the reserved .invalid name never resolves anyway.
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "benchmarks", "crawl")
SCRAPY_PYTHON = "/usr/bin/python3"
CONCURRENCY = 16

# Targets the engine is held to (DESIGN.md): a fraction of the floor, a multiple of Scrapy.
TARGET_VS_FLOOR = 0.70
TARGET_VS_SCRAPY = 30.0
# The coroutine spider's pages/s against the callback spider's (issue 5).
TARGET_COROUTINE_VS_CALLBACK = 0.85
STYLES = ("callback", "deferred", "coroutine")

NGINX_CONF = """\
# Written by run_crawl_bench.py for one run; every path is inside the run's temp dir.
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;
    access_log off;
    log_not_found off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    gzip off;
    server_tokens off;
    open_file_cache max=20000 inactive=60s;
    open_file_cache_errors on;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {site};
        index index.html;
    }}
}}
"""

# wrk: each connection takes the next path of the list (one thread, so one shared cursor); the
# requests are formatted once in init(), so the Lua cost per request is a table lookup.
WRK_LUA = """\
local requests = {{}}
init = function(args)
    for path in io.lines("{paths}") do
        requests[#requests + 1] = wrk.format("GET", path)
    end
end
local i = 0
request = function()
    i = i % #requests + 1
    return requests[i]
end
"""


def child_env():
    """The environment for every child: no proxy, so nothing is sent anywhere but 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


def die_with_parent():
    """preexec_fn: the child gets SIGTERM if this script dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_kb(pid):
    """VmHWM of a running process: the peak RSS of its current (post-exec) image."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(cmd, cwd=None, stdout_path=None, stderr_path=None):
    """Runs cmd to completion; returns (exit status, rusage of the child, peak RSS in KB).

    The peak RSS is VmHWM read every 10 ms until the child exits, not ru_maxrss: Linux keeps
    in a child's ru_maxrss the RSS it had before exec, a copy of this Python process's.
    """
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=child_env(),
                                preexec_fn=die_with_parent)
        peak = 0
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak = max(peak, peak_rss_kb(proc.pid))
                time.sleep(0.01)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
        return proc.returncode, usage, peak or usage.ru_maxrss
    finally:
        for f in (out, err):
            if hasattr(f, "close"):
                f.close()


def tail(path, lines=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Nginx:
    """nginx on 127.0.0.1:port serving `site`, our child, from a config in `tmp`."""

    def __init__(self, nginx, site, tmp):
        self.tmp = tmp
        self.port = free_port()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(tmp=tmp, site=site, port=self.port))
        # -e: the error log before the config is read (the compiled-in one needs root).
        self.proc = subprocess.Popen(
            [nginx, "-p", tmp, "-e", os.path.join(tmp, "nginx-error.log"), "-c", conf],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=child_env(), preexec_fn=die_with_parent)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited at start:\n" +
                                   tail(os.path.join(tmp, "nginx-error.log")))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
                raise RuntimeError(f"nginx answers {status} for /")
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start listening")
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown, the master stops its workers
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Row:
    def __init__(self, name):
        self.name = name
        self.note = ""          # "not built", "failed: ...", ...
        self.pages = None       # responses received
        self.items = None
        self.seconds = None     # the crawl's own elapsed time
        self.cpu_s = None       # user + sys of the whole process
        self.rss_kb = None
        self.req_per_s = None   # wrk only
        self.flags = []         # mismatches against the manifest

    def pages_per_s(self):
        return self.pages / self.seconds if self.pages and self.seconds else None

    def items_per_s(self):
        return self.items / self.seconds if self.items is not None and self.seconds else None

    def cpu_us_per_page(self):
        return 1e6 * self.cpu_s / self.pages if self.pages and self.cpu_s is not None else None


def check(row, expected, got):
    """Records a mismatch `name: got != expected` for each differing count."""
    for name, want in expected.items():
        have = got.get(name)
        if have != want:
            row.flags.append(f"{name} {have} != {want}")


def rusage_into(row, usage, peak_kb):
    row.cpu_s = usage.ru_utime + usage.ru_stime
    row.rss_kb = peak_kb


def run_wrk(wrk, base, paths_file, tmp, seconds):
    row = Row("wrk (server ceiling)")
    lua = os.path.join(tmp, "cycle.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA.format(paths=paths_file))
    out = os.path.join(tmp, "wrk.out")
    rc, _, _ = run_measured([wrk, "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", "-s", lua,
                             base + "/"], stdout_path=out, stderr_path=out)
    text = tail(out, 100)
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if rc != 0 or not m:
        row.note = f"failed (exit {rc}): {text.strip()[-300:]}"
        return row
    row.req_per_s = float(m.group(1))
    errors = re.search(r"Socket errors:.*", text)
    if errors:
        row.flags.append(errors.group(0))
    return row


def run_floor(floor, base, paths_file, tmp, manifest):
    row = Row("floor: libcurl+libevent+libxml2")
    if not os.path.exists(floor):
        row.note = f"not built ({floor})"
        return row
    out, err = os.path.join(tmp, "floor.out"), os.path.join(tmp, "floor.err")
    rc, usage, peak = run_measured([floor, base, paths_file, str(CONCURRENCY)], stdout_path=out,
                                stderr_path=err)
    fields = dict(re.findall(r"(\w+)=([\d.]+)", tail(out)))
    if rc != 0 or "pages" not in fields:
        row.note = f"failed (exit {rc}): {tail(err, 5).strip()}"
        return row
    row.pages, row.items = int(fields["pages"]), int(fields["items"])
    row.seconds = float(fields["seconds"])
    rusage_into(row, usage, peak)
    c = manifest["counts"]
    check(row, {"200": c["reachable_pages"], "404": c["not_found"], "items": c["quotes"],
                "links": c["links"]},
          {"200": int(fields["ok"]), "404": int(fields["not_found"]), "items": row.items,
           "links": int(fields["links"])})
    return row


def crawler_row(row, rc, usage, peak, stats_file, items_file, err_file, manifest, subset=False):
    """Fills a crawler's row from its Scrapy-style stats JSON and checks it."""
    try:
        with open(stats_file, encoding="utf-8") as f:
            stats = json.load(f)
    except (OSError, ValueError) as e:
        row.note = f"failed (exit {rc}, no stats: {e}): {tail(err_file, 5).strip()}"
        return row
    row.pages = stats.get("response_received_count", 0)
    row.items = stats.get("item_scraped_count", 0)
    row.seconds = stats.get("elapsed_time_seconds")
    rusage_into(row, usage, peak)
    if rc != 0:
        row.flags.append(f"exit {rc}")
    try:
        with open(items_file, "rb") as f:
            feed_lines = sum(1 for _ in f)
    except OSError:
        feed_lines = None
    if feed_lines != row.items:
        row.flags.append(f"feed has {feed_lines} lines")
    if subset:
        row.flags.append(f"subset: {row.pages} pages")
        return row
    c = manifest["counts"]
    ok_pages = stats.get("downloader/response_status_count/200")
    check(row, {"200": c["reachable_pages"], "404": c["not_found"], "items": c["quotes"]},
          {"200": ok_pages, "404": stats.get("downloader/response_status_count/404"),
           "items": row.items})
    if ok_pages == c["reachable_pages"] + 1:
        row.flags.append("(start URL fetched twice? dont_filter start request)")
    return row


def run_engine(binary, base, tmp, manifest, style):
    row = Row(f"interloop engine, {style}")
    if not os.path.exists(binary):
        row.note = f"not built ({os.path.relpath(binary, ROOT)})"
        return row
    stats = os.path.join(tmp, f"engine-{style}-stats.json")
    items = os.path.join(tmp, f"engine-{style}-items.jsonl")
    err = os.path.join(tmp, f"engine-{style}.err")
    for stale in (stats, items):
        if os.path.exists(stale):
            os.remove(stale)
    cmd = [binary, base + "/", "--style", style,
           "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
           "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
           "-s", f"STATS_DUMP_FILE={stats}",
           "-L", "WARNING", "-o", items]
    rc, usage, peak = run_measured(cmd, cwd=tmp, stdout_path=err, stderr_path=err)
    return crawler_row(row, rc, usage, peak, stats, items, err, manifest)


def run_engine_styles(binary, base, tmp, manifest, rounds):
    """Each style `rounds` times, in turns; the best (fastest correct) round of each."""
    best = {}
    for _ in range(rounds):
        for style in STYLES:
            row = run_engine(binary, base, tmp, manifest, style)
            kept = best.get(style)
            if kept is None or (not row.note and not row.flags and
                                (kept.note or kept.flags or
                                 row.pages_per_s() > kept.pages_per_s())):
                best[style] = row
    return [best[style] for style in STYLES]


def run_scrapy(base, tmp, manifest, pages):
    row = Row("Scrapy 2.8 (quotes_scrapy.py)")
    if subprocess.run([SCRAPY_PYTHON, "-c", "import scrapy"], capture_output=True).returncode:
        row.note = "not installed (apt-get install python3-scrapy)"
        return row
    stats, items = os.path.join(tmp, "scrapy-stats.json"), os.path.join(tmp, "scrapy-items.jsonl")
    err = os.path.join(tmp, "scrapy.err")
    cmd = [SCRAPY_PYTHON, "-m", "scrapy", "runspider", os.path.join(HERE, "quotes_scrapy.py"),
           "-a", f"base={base}", "-a", f"stats={stats}", "-O", items,
           "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
           "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
           "-s", "LOG_LEVEL=WARNING"]
    if pages:
        cmd += ["-s", f"CLOSESPIDER_PAGECOUNT={pages}"]
    # cwd=tmp: no scrapy.cfg of any project is picked up.
    rc, usage, peak = run_measured(cmd, cwd=tmp, stdout_path=err, stderr_path=err)
    return crawler_row(row, rc, usage, peak, stats, items, err, manifest, subset=bool(pages))


def fmt_num(value, spec):
    return format(value, spec) if value is not None else "-"


def print_table(rows, manifest):
    c = manifest["counts"]
    print(f"site: {c['listing_pages']} listing pages; {c['reachable_pages']} reachable + "
          f"{c['not_found']} linked 404s = {c['reachable_pages'] + c['not_found']} requests; "
          f"{c['quotes']} quotes; {c['reachable_bytes'] / 1e6:.1f} MB; "
          f"{CONCURRENCY} concurrent requests\n")
    header = (f"{'row':<34} {'pages':>7} {'items':>7} {'secs':>7} {'pages/s':>9} "
              f"{'items/s':>9} {'CPU us/page':>11} {'RSS MB':>7}  check")
    print(header)
    print("-" * len(header))
    for r in rows:
        if r.note:
            print(f"{r.name:<34} {r.note}")
            continue
        if r.req_per_s is not None:
            print(f"{r.name:<34} {'':>7} {'':>7} {'':>7} {r.req_per_s:>9.0f} {'(req/s)':>9}"
                  f" {'':>11} {'':>7}  {'; '.join(r.flags) or 'ok'}")
            continue
        print(f"{r.name:<34} {r.pages:>7} {r.items:>7} {fmt_num(r.seconds, '7.2f')} "
              f"{fmt_num(r.pages_per_s(), '9.0f')} {fmt_num(r.items_per_s(), '9.0f')} "
              f"{fmt_num(r.cpu_us_per_page(), '11.0f')} {r.rss_kb / 1024:>7.1f}  "
              f"{'; '.join(r.flags) or 'ok'}")


def print_ratios(styles, floor, scrapy, wrk):
    engine = styles[0]  # the callback spider: the engine's reference row
    print()

    def ratio(label, num, den, target, higher_better=True, unit="x"):
        if num is None or den is None:
            print(f"{label:<34} n/a")
            return
        value = num / den
        ok = value >= target if higher_better else value < target
        print(f"{label:<34} {value:8.2f}{unit}   target {'>=' if higher_better else '<'} "
              f"{target}{unit}   {'PASS' if ok else 'FAIL'}")

    ok = lambda r: r is not None and not r.note
    ratio("engine / floor (pages/s)", engine.pages_per_s() if ok(engine) else None,
          floor.pages_per_s() if ok(floor) else None, TARGET_VS_FLOOR)
    ratio("engine / Scrapy (pages/s)", engine.pages_per_s() if ok(engine) else None,
          scrapy.pages_per_s() if ok(scrapy) else None, TARGET_VS_SCRAPY)
    ratio("engine RSS / Scrapy RSS", engine.rss_kb if ok(engine) else None,
          scrapy.rss_kb if ok(scrapy) else None, 1.0, higher_better=False)
    for style in styles[1:]:
        target = TARGET_COROUTINE_VS_CALLBACK if style.name.endswith("coroutine") else None
        label = f"{style.name.split(', ')[-1]} / callback (pages/s)"
        num = style.pages_per_s() if ok(style) else None
        den = engine.pages_per_s() if ok(engine) else None
        if target is not None:
            ratio(label, num, den, target)
        elif num is not None and den is not None:
            print(f"{label:<34} {num / den:8.2f}x   (information)")
    if ok(floor) and wrk.req_per_s:
        print(f"{'floor / wrk (pages/s vs req/s)':<34} {floor.pages_per_s() / wrk.req_per_s:8.2f}x"
              "   (information)")


def read_manifest(manifest_file, paths_file):
    """Writes the URL list (reachable, then the 404s) and returns the manifest's counts."""
    with open(manifest_file, encoding="utf-8") as f:
        manifest = json.load(f)
    with open(paths_file, "w") as f:
        f.write("".join(p + "\n" for p in manifest["reachable"] + manifest["not_found"]))
    return {"counts": manifest["counts"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build-release"),
                        help="meson build dir with generate_site, crawl_floor, quotes_crawl")
    parser.add_argument("--pages", type=int, default=5000, help="listing pages (>= 5000)")
    parser.add_argument("--scrapy-pages", type=int,
                        default=int(os.environ.get("CRAWL_BENCH_SCRAPY_PAGES", "0")),
                        help="stop Scrapy after ~N pages (0: the whole site)")
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--engine-rounds", type=int, default=2,
                        help="runs of each spider style, in turns (the best is shown)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (printed)")
    args = parser.parse_args()
    build = os.path.abspath(args.build)

    generate = os.path.join(build, "docs/examples/quotes_site/generate_site")
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    wrk = shutil.which("wrk")
    missing = [n for n, p in (("generate_site (" + generate + ")", os.path.exists(generate)),
                              ("nginx", nginx), ("wrk", wrk)) if not p]
    if missing:
        sys.exit("run_crawl_bench: missing " + ", ".join(missing) +
                 " (benchmarks/run crawl installs and builds them; docs/examples must be part "
                 "of the build, which the top-level meson.build does only with -Dtests=true)")

    # SIGTERM/SIGHUP unwind like Ctrl-C, so nginx is stopped and the temp dir removed.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)

    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="crawl-bench-")
    os.chmod(tmp, 0o755)  # nginx workers run as an unprivileged user when we are root
    server = None
    try:
        site = os.path.join(tmp, "site")
        subprocess.run([generate, "--pages", str(args.pages), "--out", site], check=True,
                       stdout=subprocess.DEVNULL)
        paths_file = os.path.join(tmp, "paths.txt")
        manifest = read_manifest(os.path.join(site, "manifest.json"), paths_file)

        server = Nginx(nginx, site, tmp)
        wrk_row = run_wrk(wrk, server.base, paths_file, tmp, args.wrk_seconds)
        floor = run_floor(os.path.join(build, "benchmarks/crawl_floor"), server.base,
                          paths_file, tmp, manifest)
        styles = run_engine_styles(os.path.join(build, "docs/examples/quotes_crawl"),
                                   server.base, tmp, manifest, max(1, args.engine_rounds))
        scrapy = run_scrapy(server.base, tmp, manifest, args.scrapy_pages)

        print_table([wrk_row, floor, *styles, scrapy], manifest)
        print_ratios(styles, floor, scrapy, wrk_row)
        print("\npages/s: the crawl's own elapsed time; CPU: the whole process (os.wait4); "
              "RSS: its peak (VmHWM).")
        load_after = os.getloadavg()[0]
        if max(load_before, load_after) > 1.5:
            print(f"warning: load average {load_before:.1f} before, {load_after:.1f} after: "
                  "other work shared the 2 cores; rerun on a quiet machine.")
        bad = [r for r in (floor, *styles, scrapy) if r.flags and not r.note]
        return 1 if any("subset" not in f for r in bad for f in r.flags) else 0
    finally:
        if server:
            server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
