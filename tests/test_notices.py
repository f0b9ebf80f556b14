"""The notice feed: parsing, choosing the newest entry, caching and surviving a bad source.
Feeds are served by a real local HTTP server (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from actions.notices import (
    NoticeError,
    NoticeFeed,
    load_bundled_notice,
    parse_feed,
    plain_text,
)
from components.topic_metadata import notice_topic
from harness.content import domain
from tests.feeds import NEWER_2026, OLDER_2019, TELEHEALTH_2020, atom, rss


def latest(feed: NoticeFeed):
    return asyncio.run(feed.latest())


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def topic(intent: str):
    """A notice topic as its topic file describes it (data/topics/notice.yml)."""
    return notice_topic(domain().as_dict(), intent)


def test_bundled_notice_is_the_pages_april_30_2020_update():
    notice = load_bundled_notice()
    assert notice.date_label == "April 30, 2020"
    assert notice.sentences_about(topic("ask_telehealth")) == [
        "We will continue to see patients via telehealth for office visits."
    ]
    assert notice.sentences_about(topic("ask_elective_procedures")) == [
        "We are now starting to reschedule elective procedures for those patients who wish "
        "to undergo treatment."
    ]
    assert "social distancing" in notice.sentences_about(topic("ask_safety_precautions"))[0]


def test_unset_source_answers_from_the_bundled_notice(monkeypatch):
    monkeypatch.delenv("PRACTICE_NOTICE_URL", raising=False)
    assert latest(NoticeFeed.from_settings()).date_label == "April 30, 2020"


def test_newest_entry_wins_whatever_its_position():
    notice = parse_feed(rss([OLDER_2019, NEWER_2026, TELEHEALTH_2020]))
    assert notice.date_label == "November 1, 2026"
    assert notice.title == "Winter update"


def test_atom_feed_is_read():
    notice = parse_feed(atom([TELEHEALTH_2020, NEWER_2026]))
    assert notice.date_label == "November 1, 2026"
    assert notice.sentences_about(topic("ask_telehealth"))[0].startswith("Telehealth visits end")


def test_markup_in_a_notice_becomes_plain_text():
    assert plain_text("<p>We are <b>open</b>&nbsp;&amp; safe.</p><p>Call us.</p>") == (
        "We are open & safe. Call us."
    )


@pytest.mark.parametrize(
    "content",
    [b"", b"not a feed at all {{{", b"<rss><channel></channel></rss>",
     b"<rss><channel><item><title>No date</title><description>x</description></item>"
     b"</channel></rss>"],
)
def test_feed_without_a_dated_notice_is_an_error(content):
    with pytest.raises(NoticeError):
        parse_feed(content)


def test_feed_is_fetched_over_http(feed_server):
    feed_server.body = rss([TELEHEALTH_2020, NEWER_2026])
    assert latest(NoticeFeed(feed_server.url, ttl=0)).title == "Winter update"


def test_newer_notice_replaces_the_old_one_without_restart(feed_server):
    feed = NoticeFeed(feed_server.url, ttl=0)
    feed_server.body = rss([TELEHEALTH_2020])
    assert latest(feed).date_label == "April 30, 2020"
    feed_server.body = rss([TELEHEALTH_2020, NEWER_2026])
    assert latest(feed).date_label == "November 1, 2026"


def test_cached_notice_is_served_until_the_ttl_runs_out(feed_server):
    clock = FakeClock()
    feed = NoticeFeed(feed_server.url, ttl=300, clock=clock)
    feed_server.body = rss([TELEHEALTH_2020])
    assert latest(feed).date_label == "April 30, 2020"
    feed_server.body = rss([NEWER_2026])
    clock.now += 299
    assert latest(feed).date_label == "April 30, 2020"
    assert feed_server.requests == 1
    clock.now += 2
    assert latest(feed).date_label == "November 1, 2026"
    assert feed_server.requests == 2


def test_outage_serves_the_last_good_notice(feed_server, caplog):
    feed = NoticeFeed(feed_server.url, ttl=0)
    feed_server.body = rss([NEWER_2026])
    assert latest(feed).title == "Winter update"
    feed_server.status = 500
    with caplog.at_level(logging.WARNING, logger="actions.notices"):
        assert latest(feed).title == "Winter update"
    assert "last notice read" in caplog.text
    assert "500" in caplog.text


def test_outage_before_any_success_serves_the_bundled_notice(feed_server, caplog):
    feed_server.status = 503
    with caplog.at_level(logging.WARNING, logger="actions.notices"):
        assert latest(NoticeFeed(feed_server.url, ttl=0)).date_label == "April 30, 2020"
    assert "bundled notice" in caplog.text


def test_slow_source_times_out_and_serves_the_last_good_notice(feed_server):
    feed = NoticeFeed(feed_server.url, ttl=0, timeout=0.3)
    feed_server.body = rss([NEWER_2026])
    assert latest(feed).title == "Winter update"
    feed_server.delay = 2.0
    feed_server.body = rss([OLDER_2019])
    assert latest(feed).title == "Winter update"


def test_garbage_serves_the_last_good_notice(feed_server):
    feed = NoticeFeed(feed_server.url, ttl=0)
    feed_server.body = atom([NEWER_2026])
    assert latest(feed).title == "Winter update"
    feed_server.body = b"\x00\xff<html>Site under maintenance"
    assert latest(feed).title == "Winter update"


def test_failed_check_is_not_retried_until_the_ttl_runs_out(feed_server):
    clock = FakeClock()
    feed_server.status = 500
    feed = NoticeFeed(feed_server.url, ttl=60, clock=clock)
    latest(feed)
    latest(feed)
    assert feed_server.requests == 1


def test_unreachable_host_serves_the_bundled_notice():
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    feed = NoticeFeed("http://127.0.0.1:9/notices.xml", ttl=0, timeout=0.5)
    assert latest(feed).date_label == "April 30, 2020"


def test_local_file_and_file_url_are_sources(tmp_path):
    path = tmp_path / "notices.xml"
    path.write_bytes(rss([NEWER_2026]))
    assert latest(NoticeFeed(str(path), ttl=0)).title == "Winter update"
    assert latest(NoticeFeed(path.as_uri(), ttl=0)).title == "Winter update"


def test_missing_local_file_serves_the_bundled_notice(tmp_path):
    feed = NoticeFeed(str(tmp_path / "missing.xml"), ttl=0)
    assert latest(feed).date_label == "April 30, 2020"


@pytest.mark.parametrize("raw, expected", [("0", 0.0), ("45", 45.0), ("", 300.0)])
def test_the_feed_and_its_ttl_come_from_the_settings(monkeypatch, raw, expected):
    monkeypatch.setenv("PRACTICE_NOTICE_URL", "http://127.0.0.1:9/x")
    monkeypatch.setenv("PRACTICE_NOTICE_TTL", raw)
    feed = NoticeFeed.from_settings()
    assert (feed.source, feed.ttl) == ("http://127.0.0.1:9/x", expected)


def padded_feed(newest_last: bool = True) -> bytes:
    """About 70 KB: many old notices, and the newest at the end of the body."""
    old = [(f"2019-{month:02d}-01", f"Old notice {month}", "Nothing new. " * 400)
           for month in range(1, 13)]
    return rss([*old, NEWER_2026] if newest_last else [NEWER_2026, *old])


def test_a_feed_sent_in_several_writes_is_read_whole(feed_server):
    feed_server.body, feed_server.writes = padded_feed(), 4
    assert len(feed_server.body) > 60_000
    notice = latest(NoticeFeed(feed_server.url))
    assert notice.text.startswith("Telehealth visits end on December 1")


def test_a_feed_over_the_size_cap_is_refused_not_cut(feed_server, monkeypatch, caplog):
    monkeypatch.setattr("actions.notices.MAX_FEED_BYTES", 20_000)
    feed_server.body, feed_server.writes = padded_feed(newest_last=False), 4
    with caplog.at_level(logging.WARNING):
        notice = latest(NoticeFeed(feed_server.url))
    assert notice.date_label == "April 30, 2020"  # the bundled notice, not a cut-off feed
    assert "larger than" in caplog.text


def test_plain_http_is_refused_for_a_remote_host(caplog):
    with caplog.at_level(logging.WARNING):
        notice = latest(NoticeFeed("http://notices.example.org/feed.xml"))
    assert notice.date_label == "April 30, 2020"
    assert "https" in caplog.text


@pytest.mark.parametrize("location", [
    "file:///etc/passwd",
    "https://127.0.0.1:1/notices.xml",  # another scheme
    "http://localhost:{port}/notices.xml",  # another host name
    "ftp://127.0.0.1/notices.xml",
])
def test_a_redirect_elsewhere_is_not_followed(feed_server, caplog, location):
    port = feed_server.url.split(":")[2].split("/")[0]
    feed_server.body = rss([NEWER_2026])
    feed_server.redirects = {"/old.xml": location.format(port=port)}
    source = feed_server.url.replace("/notices.xml", "/old.xml")
    with caplog.at_level(logging.WARNING):
        notice = latest(NoticeFeed(source))
    assert notice.date_label == "April 30, 2020"
    assert "redirect" in caplog.text


def test_a_redirect_on_the_same_host_is_followed(feed_server):
    feed_server.body = rss([NEWER_2026])
    feed_server.redirects = {"/old.xml": "/notices.xml"}
    notice = latest(NoticeFeed(feed_server.url.replace("/notices.xml", "/old.xml")))
    assert notice.date_label == "November 1, 2026"


def test_any_failure_inside_the_fetch_serves_the_last_good_notice(feed_server, monkeypatch,
                                                                  caplog):
    feed_server.body = rss([NEWER_2026])
    feed = NoticeFeed(feed_server.url, ttl=0)
    assert latest(feed).date_label == "November 1, 2026"

    def broken(content):
        raise RuntimeError("a parser bug")

    monkeypatch.setattr("actions.notices.parse_feed", broken)
    with caplog.at_level(logging.WARNING):
        assert latest(feed).date_label == "November 1, 2026"
    assert "RuntimeError" in caplog.text
