// Cost of one Deferred callback step, next to plain function calls, measured in one run.
//
// Every row does 100 "add one" steps per iteration and reports the median of several
// repetitions in ns per step and heap allocations per step (global operator new is counted).

#include <fmt/format.h>

#include <stdio.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "reactor/deferred.hpp"

namespace {

std::size_t allocations = 0;

constexpr int steps = 100;

/// Keeps the compiler from folding the loop away without costing a call.
inline void escape(int& v) {
    asm volatile("" : "+r"(v));
}

struct Row {
    std::string name;
    double ns_per_step;
    double allocs_per_step;
};

template <class Body>
Row measure(std::string name, int iterations, Body body) {
    if (body() != steps) std::fprintf(stderr, "%s: wrong result\n", name.c_str());
    long sink = 0;
    for (int i = 0; i < iterations / 10; ++i) sink += body();  // warm up caches and the heap
    std::vector<double> ns;
    std::vector<double> allocs;
    for (int rep = 0; rep < 9; ++rep) {
        std::size_t before = allocations;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i) sink += body();
        auto elapsed = std::chrono::steady_clock::now() - start;
        double total_steps = double(iterations) * steps;
        ns.push_back(std::chrono::duration<double, std::nano>(elapsed).count() / total_steps);
        allocs.push_back(double(allocations - before) / total_steps);
    }
    if (sink == 0) std::fprintf(stderr, "%s: nothing ran\n", name.c_str());
    std::sort(ns.begin(), ns.end());
    std::sort(allocs.begin(), allocs.end());
    return {std::move(name), ns[ns.size() / 2], allocs[allocs.size() / 2]};
}

int plain_calls() {
    int v = 0;
    auto add_one = [](int x) { return x + 1; };
    for (int k = 0; k < steps; ++k) {
        v = add_one(v);
        escape(v);
    }
    return v;
}

int std_function_build_and_call() {
    std::vector<std::function<int(int)>> fns;
    fns.reserve(steps);
    for (int k = 0; k < steps; ++k) fns.emplace_back([](int x) { return x + 1; });
    int v = 0;
    for (auto& f : fns) v = f(v);
    return v;
}

using interloop::Deferred;

int take(Deferred<int>& d) {
    int out = 0;
    d.add_callback([&out](int v) { out = v; });
    return out;
}

int chain_of_int_callbacks() {
    Deferred<int> d;
    for (int k = 0; k < steps; ++k) d.add_callback([](int x) { return x + 1; });
    d.callback(0);
    return take(d);
}

int callbacks_added_after_firing() {
    Deferred<int> d;
    d.callback(0);
    for (int k = 0; k < steps; ++k) d.add_callback([](int x) { return x + 1; });
    return take(d);
}

int callbacks_with_a_32_byte_capture() {
    Deferred<int> d;
    long a = 1, b = 0, c = 0, e = 0;
    for (int k = 0; k < steps; ++k)
        d.add_callback([a, b, c, e](int x) { return x + int(a + b + c + e); });
    d.callback(0);
    return take(d);
}

int callbacks_returning_fired_deferreds() {
    Deferred<int> d;
    for (int k = 0; k < steps; ++k) d.add_callback([](int x) { return interloop::succeed(x + 1); });
    d.callback(0);
    return take(d);
}

Deferred<int> await_fired_deferreds() {
    int v = 0;
    for (int k = 0; k < steps; ++k) v = co_await interloop::succeed(v + 1);
    co_return v;
}

int coroutine_awaiting_fired_deferreds() {
    Deferred<int> d = await_fired_deferreds();
    return take(d);
}

}  // namespace

void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

/// Runs the Twisted version of the same chains (benchmarks/twisted_deferred.py) and returns
/// its rows, so both appear in one table; empty if Twisted is not installed.
std::vector<Row> twisted_rows(const char* script) {
    std::vector<Row> rows;
    std::string command = fmt::format("/usr/bin/python3 {} 2>/dev/null", script);
    FILE* out = popen(command.c_str(), "r");
    if (!out) return rows;
    char line[256];
    while (std::fgets(line, sizeof line, out)) {
        std::string text(line);
        auto cut = text.find_last_of(' ');
        if (cut == std::string::npos) continue;
        std::string name = text.substr(0, text.find_last_not_of(' ', cut) + 1);
        rows.push_back({name, std::atof(text.c_str() + cut + 1), -1});
    }
    pclose(out);
    return rows;
}

int main(int argc, char** argv) {
    int iterations = 20000;
    const char* twisted_script = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--twisted" && i + 1 < argc)
            twisted_script = argv[++i];
        else
            iterations = std::atoi(argv[i]);
    }
    std::vector<Row> rows;
    rows.push_back(measure("baseline: plain inline calls", iterations * 10, plain_calls));
    rows.push_back(
        measure("baseline: std::function build + call", iterations, std_function_build_and_call));
    rows.push_back(
        measure("Deferred<int> chain of int callbacks", iterations, chain_of_int_callbacks));
    rows.push_back(
        measure("  same, callbacks added after firing", iterations, callbacks_added_after_firing));
    rows.push_back(
        measure("  same, 32-byte captures", iterations, callbacks_with_a_32_byte_capture));
    rows.push_back(measure("callbacks returning fired Deferreds", iterations,
                           callbacks_returning_fired_deferreds));
    rows.push_back(measure("co_await succeed(v) in a Deferred coroutine", iterations,
                           coroutine_awaiting_fired_deferreds));

    if (twisted_script)
        for (Row& r : twisted_rows(twisted_script)) rows.push_back(std::move(r));

    const Row& plain = rows[0];
    fmt::print("{:<46} {:>10} {:>12} {:>12}\n", "100-step chains (median of 9 runs)", "ns/step",
               "allocs/step", "x plain");
    fmt::print("{}\n", std::string(83, '-'));
    for (const Row& r : rows) {
        std::string allocs = r.allocs_per_step < 0 ? "-" : fmt::format("{:.3f}", r.allocs_per_step);
        fmt::print("{:<46} {:>10.2f} {:>12} {:>12.1f}\n", r.name, r.ns_per_step, allocs,
                   r.ns_per_step / plain.ns_per_step);
    }
    return 0;
}
