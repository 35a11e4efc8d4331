"""One upstream host pair over aiohttp: headers, timeouts, retries, the auth fallback,
and, given `hosts`, each host's pacing, 429 pause and call count (upstream/limits.py).

Everything here turns HTTP trouble into an `UpstreamError` with an `error_class`
(data.md §2.1, §3.8); callers never see aiohttp exceptions.
"""

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp

from cicero.domain.ingestion.payloads import PayloadError, decode_json
from cicero.domain.ingestion.retry import RetryPolicy, retry_delay
from cicero.domain.runtime.series import UPSTREAM_REQUESTS, UPSTREAM_SECONDS
from cicero.domain.runtime.tally import Tally

Sleep = Callable[[float], Awaitable[None]]
Jitter = Callable[[], float]


class ErrorClass(StrEnum):
    RATE_LIMITED = "rate_limited"
    SERVER = "server"  # 5xx, connection refused or reset
    TIMEOUT = "timeout"
    AUTH = "auth"
    MALFORMED = "malformed"  # unusable payload, or a 4xx the request cannot fix
    UNAVAILABLE = "unavailable"  # account or post missing (404) or private


class UpstreamError(Exception):
    def __init__(self, error_class: ErrorClass, detail: str, status: int | None = None) -> None:
        super().__init__(f"{error_class}: {detail}")
        self.error_class = error_class
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Endpoint:
    """A base URL and its key; `host` is the x-rapidapi-host (default: the URL's host)."""

    base_url: str
    key: str
    host: str | None = None

    @property
    def host_header(self) -> str:
        return self.host or urlsplit(self.base_url).netloc

    @property
    def host_name(self) -> str:
        """The API host's name alone (no port, no credentials a URL may carry): /metrics'."""
        return self.host or urlsplit(self.base_url).hostname or ""

    def __repr__(self) -> str:  # keep keys out of logs
        return f"Endpoint({self.base_url!r}, key=***, host={self.host_header!r})"


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    total: float = 30.0


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_RETRY = RetryPolicy()


def default_jitter(rng: random.Random | None = None) -> Jitter:
    rng = rng or random.Random()
    return lambda: rng.uniform(0.0, 0.5)


class HostLimits(Protocol):
    """A platform's hosts as the transport consults them (implemented by upstream/limits.py)."""

    def refusal(self, fallback: bool) -> str | None: ...  # why nothing may be sent now

    def reserve(self, fallback: bool, header: str) -> float: ...  # seconds to wait first

    async def answered(self, fallback: bool, error: UpstreamError | None) -> None: ...

    async def gave_up(self, fallback: bool, error: UpstreamError) -> None: ...


class Transport:
    """GET JSON from a platform's primary endpoint, falling back once on 401/403.

    With `hosts`, a paused host fails fast as `rate_limited` without a request (the other
    host stays usable: the auth fallback and TikTok's fallback listing may still go there),
    each request waits for its host's pace, and 429 after the retries pauses the host.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        primary: Endpoint,
        fallback: Endpoint | None = None,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
        jitter: Jitter | None = None,
        hosts: HostLimits | None = None,
        tally: Tally | None = None,
        stopwatch: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.tally = tally  # each request's result and time, for /metrics (its actor ships it)
        self.stopwatch = stopwatch
        self.hosts = hosts
        self.primary = primary
        self.fallback = fallback
        self.retry = retry
        self.sleep = sleep
        self.jitter = jitter or default_jitter()
        self._timeout = aiohttp.ClientTimeout(total=timeouts.total, sock_connect=timeouts.connect)
        self.calls: Counter[str] = Counter()  # requests per host, for metrics and quota

    async def get(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        endpoint: Endpoint | None = None,
        name: str | None = None,
    ) -> Any:
        """The decoded JSON of a 200 answer; an UpstreamError once retries are spent. `name`
        is the endpoint's name on /metrics (`ig/posts`; the path when not given)."""
        current = endpoint or self.primary
        may_fall_back = endpoint is None and self.fallback is not None
        failures = 0
        while True:
            fallback = current is self.fallback
            await self._admit(current, fallback)
            started = self.stopwatch()
            result, retry_after = await self._attempt(current, path, params)
            error = result if isinstance(result, UpstreamError) else None
            self._measure(current, name or path, error, self.stopwatch() - started)
            if self.hosts is not None:
                await self.hosts.answered(fallback, error)
            if error is None:
                return result
            if error.error_class is ErrorClass.AUTH:
                if may_fall_back and self.fallback is not None:
                    current, may_fall_back = self.fallback, False
                    continue  # the fallback gets its own try, not a retry
                raise await self._given_up(fallback, error)
            if error.error_class not in _RETRYABLE:
                raise await self._given_up(fallback, error)
            failures += 1
            if failures >= self.retry.attempts:
                raise await self._given_up(fallback, UpstreamError(
                    error.error_class, f"{error.detail} (after {failures} attempts)", error.status
                ))  # fmt: skip
            await self.sleep(retry_delay(self.retry, failures, retry_after, self.jitter()))

    async def _admit(self, ep: Endpoint, fallback: bool) -> None:
        """Wait for the host's pace; refuse at once while the host is paused."""
        if self.hosts is None:
            return
        refusal = self.hosts.refusal(fallback)
        if refusal is None:
            wait = self.hosts.reserve(fallback, ep.host_header)
            if wait > 0:
                await self.sleep(wait)
                refusal = self.hosts.refusal(fallback)  # a pause may begin while it waits
        if refusal is not None:
            raise UpstreamError(ErrorClass.RATE_LIMITED, refusal)

    def _measure(
        self, ep: Endpoint, name: str, error: UpstreamError | None, seconds: float
    ) -> None:
        if self.tally is None:
            return
        labels = (ep.host_name, name, "ok" if error is None else error.error_class.value)
        self.tally.count(UPSTREAM_REQUESTS.name, labels)
        self.tally.observe(UPSTREAM_SECONDS.name, labels, seconds, UPSTREAM_SECONDS.bounds)

    async def _given_up(self, fallback: bool, error: UpstreamError) -> UpstreamError:
        if self.hosts is not None:
            await self.hosts.gave_up(fallback, error)
        return error

    async def _attempt(
        self, ep: Endpoint, path: str, params: Mapping[str, str]
    ) -> tuple[Any, str | None]:
        """One request: (document, None) or (UpstreamError, Retry-After)."""
        url = ep.base_url.rstrip("/") + path
        headers = {
            "x-rapidapi-key": ep.key,
            "x-rapidapi-host": ep.host_header,
            "x-cache-control": "no-cache",
        }
        self.calls[ep.host_header] += 1
        try:
            async with self.session.get(
                url, params=dict(params), headers=headers, timeout=self._timeout
            ) as resp:
                status = resp.status
                retry_after = resp.headers.get("Retry-After")
                body = await resp.read()
        except TimeoutError:
            return UpstreamError(ErrorClass.TIMEOUT, f"GET {path} timed out"), None
        except aiohttp.ClientError as e:
            return UpstreamError(ErrorClass.SERVER, f"GET {path}: {type(e).__name__} {e}"), None
        if status == 200:
            try:
                return decode_json(body), None
            except PayloadError as e:
                return UpstreamError(ErrorClass.MALFORMED, f"GET {path}: {e}", status), None
        return UpstreamError(_status_class(status), f"GET {path}: HTTP {status}", status), (
            retry_after if status == 429 else None
        )


_RETRYABLE = frozenset({ErrorClass.RATE_LIMITED, ErrorClass.SERVER, ErrorClass.TIMEOUT})


def _status_class(status: int) -> ErrorClass:
    if status == 429:
        return ErrorClass.RATE_LIMITED
    if status in (401, 403):
        return ErrorClass.AUTH
    if status >= 500:
        return ErrorClass.SERVER
    if status in (404, 410):
        return ErrorClass.UNAVAILABLE
    return ErrorClass.MALFORMED
