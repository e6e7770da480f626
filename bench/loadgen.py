"""A bounded asyncio load generator (aiohttp) for 127.0.0.1.

Each virtual client runs a *step* coroutine in a loop for a fixed time. A step makes its own
requests and reports the timed ones with :meth:`Recorder.timed`; set-up requests (starting a
simulation run, say) are made untimed. Redirects are not followed: a 302 to the login page is
an error, not a fast page.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from .common import percentile


def auth_headers(session_id: str, csrf: str, *, json_body: bool = False) -> dict[str, str]:
    headers = {
        "Cookie": f"sessionid={session_id}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Referer": "http://127.0.0.1/",
    }
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


@dataclass
class Recorder:
    """Latencies (seconds) and outcomes of the timed requests inside the measuring window."""

    measure_from: float = 0.0
    measure_to: float = float("inf")
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    async def timed(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        *,
        expect: tuple[int, ...] = (200,),
        **kwargs,
    ) -> tuple[int, bytes]:
        start = time.perf_counter()
        status, body = 0, b""
        try:
            async with session.request(method, url, allow_redirects=False, **kwargs) as resp:
                body = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            status = 0
            body = repr(exc).encode()
        end = time.perf_counter()
        if self.measure_from <= start and end <= self.measure_to:
            self.latencies.append(end - start)
            self.statuses[status] += 1
            if status in expect:
                self.ok += 1
            else:
                self.errors += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{method} {url} -> {status} {body[:200]!r}")
        return status, body

    def summary(self, seconds: float) -> dict:
        lat = sorted(self.latencies)
        ms = [x * 1000 for x in lat]
        return {
            "requests": len(lat),
            "ok": self.ok,
            "errors": self.errors,
            "rps": round(len(lat) / seconds, 1) if seconds else 0.0,
            "p50_ms": _r(percentile(ms, 50)),
            "p95_ms": _r(percentile(ms, 95)),
            "p99_ms": _r(percentile(ms, 99)),
            "max_ms": _r(ms[-1] if ms else None),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "error_samples": self.error_samples,
        }


def _r(value):
    return None if value is None else round(value, 1)


Step = Callable[[aiohttp.ClientSession, int, Recorder], Awaitable[None]]


async def _run(step: Step, concurrency: int, seconds: float, warmup: float, timeout: float):
    start = time.perf_counter()
    rec = Recorder(measure_from=start + warmup, measure_to=start + warmup + seconds)
    conn = aiohttp.TCPConnector(limit=concurrency * 2, force_close=True)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(
        connector=conn, cookie_jar=aiohttp.DummyCookieJar(), timeout=client_timeout
    ) as session:

        async def client(i: int) -> None:
            while time.perf_counter() < rec.measure_to:
                await step(session, i, rec)

        await asyncio.gather(*(client(i) for i in range(concurrency)))
    return rec


def run_load(
    step: Step, *, concurrency: int, seconds: float, warmup: float = 1.0, timeout: float = 30.0
) -> dict:
    """Run ``step`` in ``concurrency`` clients for ``warmup + seconds``; summary of the window."""
    rec = asyncio.run(_run(step, concurrency, seconds, warmup, timeout))
    return rec.summary(seconds)


def get_step(url: str, headers: dict[str, str]) -> Step:
    async def step(session, i, rec):
        await rec.timed(session, "GET", url, headers=headers)

    return step
