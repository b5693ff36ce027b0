"""Talking to authority services politely: one session per service, a persistent cache, per-host
rate limits, retries with backoff, ``Retry-After``, timeouts and a circuit breaker.

Every failure ends as a :class:`ServiceError` with a short reason; the enrichment stage turns it
into missing links and a line of the summary, never into a failed conversion.

The cache is requests-cache's SQLite backend, used as a store: this module decides what is kept
and for how long (answers for the service's TTL, empty answers and failures for less), so that an
outage does not become a flood of retries on the next run, and ``--offline`` can answer from
entries whatever their age.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import requests

from marc2rdf import __version__

DAY = 86400


@dataclass
class Settings:
    """How to talk to one service; every field can be set in the configuration file."""

    url: str
    interval: float = 1.0  # seconds between two requests to the host
    timeout: float = 20.0
    retries: int = 3  # further attempts after a 429, a 5xx, a timeout or a broken connection
    backoff: float = 2.0  # first wait between attempts, doubled each time (unless Retry-After says)
    max_wait: float = 120.0  # a longer Retry-After opens the circuit instead of waiting
    ttl: float = 30 * DAY  # how long an answer is kept
    miss_ttl: float = DAY  # an answer with no candidate
    error_ttl: float = 600.0  # a failure (5xx, 429): a rerun soon after does not hammer the service
    breaker: int = 5  # consecutive failures that open the circuit
    cooldown: float = 300.0  # how long it stays open before one trial request


class ServiceError(Exception):
    """A look-up that gave nothing usable; ``reason`` says why in a few words."""

    def __init__(self, reason: str, counts: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.counts = counts  # does it count as a failure of the service (not: offline miss, circuit open)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    content: bytes
    url: str
    from_cache: bool = False
    created: datetime | None = None  # when the answer was fetched (from the cache entry)
    key: str | None = None
    request: requests.PreparedRequest | None = None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")  # some services mislabel their charset

    def json(self):
        import json

        try:
            return json.loads(self.text)
        except ValueError as exc:
            raise ServiceError(f"malformed response ({exc.__class__.__name__}: {str(exc)[:60]})") from None


class Breaker:
    """Opens after ``threshold`` consecutive failures, or when a service asks for a long pause;
    after ``cooldown`` one request is let through, and a success closes it again."""

    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic):
        self.threshold, self.cooldown, self.clock = threshold, cooldown, clock
        self.failures = 0
        self.open_until = 0.0
        self.reason = ""
        self.opened = 0

    def check(self) -> None:
        if self.open_until and self.clock() < self.open_until:
            raise ServiceError(f"not asked: circuit open ({self.reason})", counts=False)

    def success(self) -> None:
        self.failures, self.open_until = 0, 0.0

    def failure(self, reason: str) -> None:
        self.failures += 1
        self.reason = f"{self.failures} failure{'s' if self.failures > 1 else ''} in a row, last: {reason}"
        if self.failures >= self.threshold:
            self.trip(self.cooldown, self.reason)

    def trip(self, seconds: float, reason: str) -> None:
        self.reason = reason
        self.open_until = self.clock() + seconds
        self.opened += 1


class Limiter:
    """At most one request per ``interval`` seconds to a host, whatever service asks."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.sleep, self.clock = sleep, clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> None:
        with self._lock:
            now = self.clock()
            at = max(now, self._next.get(host, 0.0))
            self._next[host] = at + interval
        if at > now:
            self.sleep(at - now)

    def hold(self, host: str, seconds: float) -> None:
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self.clock() + seconds)


class Cache:
    """Answers (requests-cache's SQLite backend, compressed: a VIAF answer of 10 clusters is about
    a megabyte of JSON) and, beside each, the candidates read from it, so that a warm run does not
    parse the answers again. Both live in one SQLite file."""

    VERSION = 2  # of the candidates' form: a change makes the old ones unread, the answers stay

    def __init__(self, path: str):
        import os
        import pickle
        import zlib

        from requests_cache.backends.sqlite import SQLiteCache, SQLiteDict
        from requests_cache.serializers import SerializerPipeline, Stage
        from requests_cache.serializers.preconf import base_stage

        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        packed = [Stage(pickle), Stage(dumps=zlib.compress, loads=zlib.decompress)]
        self.http = SQLiteCache(path, serializer=SerializerPipeline([base_stage, *packed], "pickle-zlib", True),
                                wal=True)
        self.candidates = SQLiteDict(path, table_name="candidates", wal=True,
                                     serializer=SerializerPipeline(packed, "pickle-zlib", True))

    @property
    def responses(self):
        return self.http.responses


def _sane(c) -> bool:
    """A candidate whose parts have the types the scorer expects (a service answering garbage
    of the right overall shape must not reach it)."""
    return (isinstance(c.iri, str) and c.iri != "" and isinstance(c.label, str)
            and all(isinstance(v, str) for v in c.variants) and all(isinstance(v, str) for v in c.titles)
            and all(isinstance(v, str) for v in c.coauthors) and isinstance(c.description, str)
            and isinstance(c.ids, dict) and all(isinstance(v, str) for v in c.ids.values())
            and (c.kind is None or isinstance(c.kind, str)))


def open_cache(path: str) -> Cache:
    return Cache(path)


def user_agent(contact: str | None) -> str:
    who = f"contact: {contact}" if contact else "no contact configured"
    return f"marc2rdf/{__version__} (MARC to linked data converter; authority enrichment; {who}) " \
           f"python-requests/{requests.__version__}"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class Client:
    """One service's session: every request goes through :meth:`get` or :meth:`post`."""

    name: str
    settings: Settings
    cache: object | None = None  # requests-cache backend, or None for no cache
    limiter: Limiter = field(default_factory=Limiter)
    offline: bool = False
    contact: str | None = None
    recorder: Callable[[str, Reply], None] | None = None  # record mode: called with each live answer
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent(self.contact)
        self.breaker = Breaker(self.settings.breaker, self.settings.cooldown, self.clock)
        self.live = 0  # requests sent
        self.last: Reply | None = None  # the answer given last (to forget it when it proves garbage)

    def url(self, path: str) -> str:
        return self.settings.url.rstrip("/") + path if path.startswith("/") else path

    def get(self, path: str, params: dict | None = None, headers: dict | None = None) -> Reply:
        return self._request(self._prepare("GET", path, params=params, headers=headers))

    def post(self, path: str, data=None, json=None, headers: dict | None = None) -> Reply:
        return self._request(self._prepare("POST", path, data=data, json=json, headers=headers))

    def _prepare(self, method: str, path: str, headers: dict | None = None, **parts) -> requests.PreparedRequest:
        prepared = requests.PreparedRequest()  # not session.prepare_request: no cookies, no .netrc look-up
        prepared.prepare(method=method, url=self.url(path), headers={**self.session.headers, **(headers or {})},
                         **parts)
        return prepared

    @staticmethod
    def key(prepared: requests.PreparedRequest) -> str:
        """The cache key of a request: its method, URL and body."""
        body = prepared.body or b""
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        return hashlib.sha256(f"{prepared.method} {prepared.url}\n".encode() + body).hexdigest()[:32]

    def request_key(self, request: dict) -> tuple[str, str]:
        """The URL of a request (its parameters encoded) and the key of its candidates in the
        cache: computed without preparing a request, which costs more than reading the cache."""
        import json

        url = self.url(request["path"])
        if request.get("params"):
            url += ("&" if "?" in url else "?") + urlencode(request["params"], doseq=True)
        body = request.get("data") or request.get("json") or ""
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body, sort_keys=True, ensure_ascii=False)
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        method = request.get("method", "GET").upper()
        return url, hashlib.sha256(f"{method} {url}\n".encode() + body).hexdigest()[:32]

    def lookup(self, request: dict, parse: Callable[[Reply], list], tag: str) -> tuple[list, Reply]:
        """The candidates ``parse`` reads in the answer to ``request``: from the cache of
        candidates when the answer is cached, else from the answer (which is then cached, for the
        service's TTL, or for its shorter miss TTL when it has no candidate)."""
        from marc2rdf.enrich.match import Candidate

        url, key = self.request_key(request)
        slot = f"{tag}:{Cache.VERSION}:{key}"
        kept = self.cache.candidates.get(slot) if self.cache is not None else None
        if kept is not None and (self.offline or kept["expires"] > time.time()):
            self.last = None
            return [Candidate(**c) for c in kept["candidates"]], Reply(200, {}, b"", url, True, kept["created"])
        prepared = self._prepare(**request)
        for attempt in range(self.settings.retries + 1):
            reply = self._request(prepared)
            try:
                found = self._parse(parse, reply)
                break
            except ServiceError:  # asked to wait (Wikidata's maxlag): once held, ask again
                if attempt == self.settings.retries or reply.from_cache or not self._asked_to_wait(reply):
                    raise
        if self.cache is not None and reply.key is not None:
            if not found and not reply.from_cache:
                self._expire(reply.key, self.settings.miss_ttl)
            hit = self.cache.http.get_response(reply.key)
            if hit is not None:
                self.cache.candidates[slot] = {"expires": hit.expires.timestamp() if hit.expires else float("inf"),
                                               "created": hit.created_at, "candidates": [vars(c) for c in found]}
        return found, reply

    def _parse(self, parse: Callable[[Reply], list], reply: Reply) -> list:
        """The candidates of an answer, each checked; an answer that cannot be read (garbage of
        any shape, or a service's own error message) raises :class:`ServiceError` and is dropped
        from the cache, so that it is asked again next time. A ``Retry-After`` sent with such an
        answer (Wikidata's ``maxlag`` error) holds the host for that long."""
        from marc2rdf.enrich.match import Candidate

        try:
            found = parse(reply)
            if not isinstance(found, list):
                raise TypeError("candidates are not a list")
            checked = [c for c in found if isinstance(c, Candidate) and _sane(c)]
        except ServiceError:
            self._discard(reply)
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
            self._discard(reply)
            raise ServiceError(f"malformed response ({exc.__class__.__name__})") from None
        return checked

    @staticmethod
    def _asked_to_wait(reply: Reply) -> float | None:
        return retry_after(next((v for k, v in reply.headers.items() if k.lower() == "retry-after"), None))

    def _discard(self, reply: Reply) -> None:
        self.forget(reply)
        if self.last is reply:
            self.last = None
        asked = self._asked_to_wait(reply)
        if asked and not reply.from_cache:
            self.limiter.hold(urlsplit(reply.url).netloc, min(asked, self.settings.max_wait))

    # -- the cache ---------------------------------------------------------------------------
    def _cached(self, prepared) -> Reply | None:
        if self.cache is None:
            return None
        key = self.key(prepared)
        hit = self.cache.http.get_response(key)
        if hit is None or (hit.is_expired and not self.offline):
            return None
        return Reply(hit.status_code, dict(hit.headers), hit.content, hit.url, True, hit.created_at, key, prepared)

    def _store(self, reply: Reply, response: requests.Response, ttl: float) -> None:
        if self.cache is None:
            return
        reply.key = self.key(reply.request)
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        self.cache.http.save_response(response, cache_key=reply.key, expires=expires)
        saved = self.cache.http.get_response(reply.key)
        reply.created = saved.created_at if saved is not None else None

    def _expire(self, key: str, ttl: float) -> None:
        """Shorten the life of a cached answer (one without candidates: the heading may be added soon)."""
        hit = self.cache.http.get_response(key)
        if hit is not None:
            hit.expires = datetime.now(UTC) + timedelta(seconds=ttl)
            self.cache.http.responses[key] = hit

    def forget(self, reply: Reply) -> None:
        """Drop an answer that turned out to be garbage, so that it is asked again next time."""
        if self.cache is not None and reply.key is not None:
            self.cache.http.delete(reply.key)

    # -- sending -----------------------------------------------------------------------------
    def _request(self, prepared: requests.PreparedRequest) -> Reply:
        cached = self.last = self._cached(prepared)
        if cached is not None:
            if cached.status >= 400:
                raise ServiceError(f"HTTP {cached.status} (kept from an earlier failure)", counts=False)
            return cached
        if self.offline:
            raise ServiceError("not in the cache (offline)", counts=False)
        self.breaker.check()
        s = self.settings
        host = urlsplit(prepared.url).netloc
        failure = "no attempt"
        for attempt in range(s.retries + 1):
            self.limiter.wait(host, s.interval)
            self.live += 1
            wait = s.backoff * 2 ** attempt
            try:
                env = self.session.merge_environment_settings(prepared.url, {}, None, None, None)  # proxies
                response = self.session.send(prepared, timeout=s.timeout, allow_redirects=True, **env)
                _ = response.content  # read it all now: a body cut short fails here
            except requests.Timeout:
                failure = f"timeout after {s.timeout:g} s"
            except requests.TooManyRedirects:
                failure = "too many redirects"
                break
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                failure = "response cut short" if "IncompleteRead" in str(exc) or isinstance(
                    exc, requests.exceptions.ChunkedEncodingError) else "connection failed"
            else:
                reply = Reply(response.status_code, dict(response.headers), response.content, response.url,
                              request=prepared)
                if response.status_code < 400:
                    self.breaker.success()
                    self._quota(host, response)
                    self._store(reply, response, s.ttl)
                    self.last = reply
                    if self.recorder is not None:
                        self.recorder(self.name, reply)
                    return reply
                failure = f"HTTP {response.status_code}" + (f" {response.reason}" if response.reason else "")
                if response.status_code != 429 and response.status_code < 500:
                    self._store(reply, response, s.error_ttl)
                    break
                asked = retry_after(response.headers.get("Retry-After"))
                if asked is not None:
                    if asked > s.max_wait:
                        self._store(reply, response, min(asked, DAY))
                        self.limiter.hold(host, asked)
                        self.breaker.trip(asked, f"{failure}, asked to wait {asked:g} s")
                        raise ServiceError(f"{failure}, asked to wait {asked:g} s")
                    wait = asked
                if attempt == s.retries:
                    self._store(reply, response, s.error_ttl)
                    if self.recorder is not None:
                        self.recorder(self.name, reply)
            if attempt < s.retries:
                self.sleep(wait)
        self.breaker.failure(failure)
        raise ServiceError(failure)

    def _quota(self, host: str, response: requests.Response) -> None:
        """A daily quota used up (FAST's ``X-RateLimit-Remaining-Day: 0``): stop until it resets."""
        h = response.headers
        remaining = h.get("X-RateLimit-Remaining-Day", h.get("RateLimit-Remaining"))
        if remaining is not None and remaining.strip() == "0":
            reset = retry_after(h.get("RateLimit-Reset")) or 3600.0
            self.limiter.hold(host, reset)
            self.breaker.trip(reset, f"request quota used up for {reset:g} s")
