"""The practice's latest notice: fetch, parse and cache it. Plain Python, no Rasa.

The notice comes from PRACTICE_NOTICE_URL, an RSS 2.0 or Atom feed (or a local file), so
the practice changes the bot's answers by publishing a new notice, with no retraining.
When the source is down, slow or broken, the bot answers from the last notice it read,
else from the notice in practice/facts.yml, and logs a warning: it never goes silent.
"""

from __future__ import annotations

import asyncio
import calendar
import html
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from datetime import time as dt_time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import aiohttp
import feedparser

from components.topic_metadata import NoticeTopic
from practice.facts import bundled_notice, date_label
from runtime.addresses import is_loopback
from runtime.settings import load_settings

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 300.0
# A patient waits for every reply (and an SMS gateway gives a webhook 15 s in all): a
# source slower than this is treated as down.
FETCH_TIMEOUT_SECONDS = 2.0
# A notice feed is a few kilobytes; refuse to read an endless or huge response. A feed over
# the cap is refused whole: a cut-off feed can hide the newest notice.
MAX_FEED_BYTES = 1_000_000
# A moved feed is followed this many times, and only on its own scheme, host and port.
MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

class NoticeError(Exception):
    """The notice source could not be read or holds no usable notice."""


@dataclass(frozen=True)
class Notice:
    published: datetime
    title: str
    text: str

    @property
    def date_label(self) -> str:
        """The date as patients read it: "April 30, 2020"."""
        return date_label(self.published)

    def opening(self, max_chars: int) -> str:
        """The notice's first sentences, as many as fit in max_chars (at least one)."""
        kept: list[str] = []
        for sentence in split_sentences(self.text):
            if kept and len(" ".join(kept + [sentence])) > max_chars:
                break
            kept.append(sentence)
        return " ".join(kept)

    def sentences_about(self, topic: NoticeTopic) -> list[str]:
        """The notice's sentences that mention a topic (its topic file's notice_words), in
        order."""
        return [sentence for sentence in split_sentences(self.text)
                if topic.mentioned_in(sentence)]


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        # Block-level tags separate words that the markup ran together.
        if tag in {"p", "br", "div", "li"}:
            self.parts.append(" ")


def plain_text(markup: str) -> str:
    """Text of an HTML fragment, entities decoded and whitespace folded."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return " ".join(html.unescape("".join(extractor.parts)).split())


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text) if part.strip()]


def _entry_date(entry: dict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)


def _entry_text(entry: dict) -> str:
    # Atom puts the full text in <content>; RSS in <description> (feedparser: summary).
    contents = entry.get("content") or []
    markup = contents[0].get("value", "") if contents else entry.get("summary", "")
    return plain_text(markup or "")


def parse_feed(content: bytes) -> Notice:
    """The entry with the newest date, wherever it stands in the feed.

    Raises NoticeError when the feed holds no dated entry with text.
    """
    feed = feedparser.parse(content)
    dated: list[tuple[datetime, dict]] = []
    for entry in feed.entries:
        published = _entry_date(entry)
        if published is not None and _entry_text(entry):
            dated.append((published, entry))
    if not dated:
        reason = feed.get("bozo_exception") or "no dated entry with text"
        raise NoticeError(f"no usable notice in the feed ({reason})")
    published, entry = max(dated, key=lambda pair: pair[0])
    return Notice(
        published=published,
        title=plain_text(entry.get("title", "")),
        text=_entry_text(entry),
    )


def load_bundled_notice() -> Notice:
    """The notice kept in practice/facts.yml, for when no live notice can be read."""
    notice = bundled_notice()
    published = datetime.combine(notice["published"], dt_time(12), tzinfo=timezone.utc)
    return Notice(published=published, title=str(notice["title"]), text=str(notice["text"]))


class NoticeFeed:
    """The latest notice from one source, cached for `ttl` seconds.

    `source` is an http(s) URL, a file:// URL or a file path; None means the bundled notice.
    """

    def __init__(
        self,
        source: str | None,
        ttl: float = DEFAULT_TTL_SECONDS,
        timeout: float = FETCH_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.ttl = ttl
        self.timeout = timeout
        self._clock = clock
        self._last_good: Notice | None = None
        self._bundled_notice: Notice | None = None
        self._checked_at: float | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls) -> NoticeFeed:
        settings = load_settings()
        return cls(settings.practice_notice_url, ttl=settings.practice_notice_ttl)

    async def latest(self) -> Notice:
        """The latest notice: fresh, cached, last good or bundled, in that order of choice."""
        if self.source is None:
            return self._bundled()
        async with self._lock:
            if self._is_fresh():
                return self._last_good or self._bundled()
            self._checked_at = self._clock()
            try:
                self._last_good = parse_feed(await self._read())
            # The boundary to the patient: whatever goes wrong in reading a feed (a network
            # error, a hostile redirect, a parser bug), the answer comes from a notice we have.
            except Exception as error:  # noqa: BLE001
                fallback = "the last notice read" if self._last_good else "the bundled notice"
                logger.warning(
                    "Could not read the practice notice from %s (%s: %s); answering from %s.",
                    self.source, type(error).__name__, error, fallback,
                )
            return self._last_good or self._bundled()

    def _is_fresh(self) -> bool:
        # A failed check counts as a check: a down source is retried once per TTL, so
        # patients do not each wait for its timeout.
        return self._checked_at is not None and self._clock() - self._checked_at < self.ttl

    def _bundled(self) -> Notice:
        if self._bundled_notice is None:
            self._bundled_notice = load_bundled_notice()
        return self._bundled_notice

    async def _read(self) -> bytes:
        parsed = urlparse(self.source)
        if parsed.scheme in ("http", "https"):
            return await self._download()
        path = Path(unquote(parsed.path)) if parsed.scheme == "file" else Path(self.source)
        if path.stat().st_size > MAX_FEED_BYTES:
            raise NoticeError(f"the feed file is larger than {MAX_FEED_BYTES} bytes")
        return path.read_bytes()

    async def _download(self) -> bytes:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        url = self.source
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for _ in range(MAX_REDIRECTS + 1):
                require_secure(url)
                async with session.get(url, allow_redirects=False) as response:
                    if response.status in REDIRECT_STATUSES:
                        url = same_place_redirect(url, response.headers.get("Location", ""))
                        continue
                    response.raise_for_status()
                    return await read_capped(response)
        raise NoticeError(f"more than {MAX_REDIRECTS} redirects")


def require_secure(url: str) -> None:
    """https, or plain http to this machine only (a feed on loopback, as in tests)."""
    parsed = urlparse(url)
    if parsed.scheme == "https":
        return
    if parsed.scheme == "http" and is_loopback(parsed.hostname or "", by_name=True):
        return
    raise NoticeError(f"only https feeds are read (plain http only on this machine): "
                      f"{parsed.scheme}://{parsed.hostname}")


def same_place_redirect(url: str, location: str) -> str:
    """Where a redirect leads, if it stays on the same scheme, host and port."""
    here, there = urlparse(url), urlparse(urljoin(url, location))
    if (here.scheme, here.hostname, here.port) != (there.scheme, there.hostname, there.port):
        raise NoticeError(f"a redirect to {there.scheme}://{there.hostname} was not followed "
                          "(only redirects on the feed's own host are)")
    return there.geturl()


async def read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The whole body, however many pieces it comes in; refused beyond MAX_FEED_BYTES."""
    if (response.content_length or 0) > MAX_FEED_BYTES:
        raise NoticeError(f"the feed is larger than {MAX_FEED_BYTES} bytes")
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_FEED_BYTES:
            raise NoticeError(f"the feed is larger than {MAX_FEED_BYTES} bytes")
    return bytes(body)
