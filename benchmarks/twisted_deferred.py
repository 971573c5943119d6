"""The same 100-step chains as bench_deferred.cpp, on Twisted, for a side-by-side row.

Prints one line per case: name, ns per step (median of 9 runs).
"""
import time

from twisted.internet import defer

STEPS = 100


def add_one(x):
    return x + 1


def chain_of_callbacks():
    d = defer.Deferred()
    for _ in range(STEPS):
        d.addCallback(add_one)
    d.callback(0)
    return d


def callbacks_returning_fired_deferreds():
    d = defer.Deferred()
    for _ in range(STEPS):
        d.addCallback(lambda x: defer.succeed(x + 1))
    d.callback(0)
    return d


async def await_fired():
    v = 0
    for _ in range(STEPS):
        v = await defer.succeed(v + 1)
    return v


def coroutine_awaiting_fired_deferreds():
    return defer.ensureDeferred(await_fired())


def measure(body, iterations):
    samples = []
    for _ in range(9):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        samples.append((time.perf_counter() - start) * 1e9 / (iterations * STEPS))
    samples.sort()
    return samples[len(samples) // 2]


if __name__ == "__main__":
    for name, body in [
        ("Twisted: chain of int callbacks", chain_of_callbacks),
        ("Twisted: callbacks returning fired Deferreds", callbacks_returning_fired_deferreds),
        ("Twisted: await succeed(v) in ensureDeferred", coroutine_awaiting_fired_deferreds),
    ]:
        print(f"{name:<46} {measure(body, 300):>10.1f}")
