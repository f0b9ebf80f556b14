"""Small RSS and Atom feeds for tests, built the way a practice website publishes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

Item = tuple[str, str, str]  # (ISO date, title, text)


def _date(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=timezone.utc)


def rss(items: Sequence[Item]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><pubDate>{format_datetime(_date(day))}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for day, title, text in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Practice updates</title>{entries}</channel></rss>"
    ).encode()


def atom(items: Sequence[Item]) -> bytes:
    entries = "".join(
        f"<entry><title>{escape(title)}</title><id>urn:notice:{day}</id>"
        f"<updated>{_date(day).isoformat()}</updated>"
        f'<content type="html">{escape(text)}</content></entry>'
        for day, title, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Practice updates</title><id>urn:practice</id>"
        f"<updated>2026-01-01T00:00:00+00:00</updated>{entries}</feed>"
    ).encode()


TELEHEALTH_2020 = (
    "2020-04-30",
    "Update as of 4/30/2020",
    "We are now starting to reschedule elective procedures for those patients who wish to "
    "undergo treatment. We will continue to see patients via telehealth for office visits.",
)
NEWER_2026 = (
    "2026-11-01",
    "Winter update",
    "Telehealth visits end on December 1; all office visits will be in person. "
    "Elective procedures are scheduled as usual.",
)
OLDER_2019 = ("2019-01-15", "Holiday hours", "Our office closes early on holidays.")
