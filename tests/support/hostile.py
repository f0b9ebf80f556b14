"""Hostile inputs for the fuzz suite (tests/test_fuzz.py): what an attacker, a broken client
or a careless script sends to each channel. Deterministic: the same seed gives the same inputs,
so a failure can be replayed.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from channels.limits import MAX_MESSAGE_CHARS

# Texts a message can carry: empty, invisible, control characters, other scripts, markup,
# injections, slash commands (Rasa reads "/intent{...}" as an intent), sizes around the cap.
TEXTS: list[str] = [
    "", " ", "\n", "\t\t", "\x00", "\x00" * 200, "\x01\x02\x03\x1b[31mred\x1b[0m", "\x7f\x08\x08",
    "\r\n" * 300, "\u202eevil\u202c", "\u200b" * 500, "\ufeff", "\ufffd" * 100, "🦴" * 400,
    "👨‍👩‍👧‍👦" * 50, "ｈｏｗ ｌｏｎｇ ｉｓ ｒｅｃｏｖｅｒｙ", "脊柱手术是什么",
    "ما هي جراحة العمود الفقري",
    "Z̴̡̢͎̹a̷͍̲l̶͙̗g̵͓̣o̷̤͛", "a" * MAX_MESSAGE_CHARS, "a" * (MAX_MESSAGE_CHARS + 1),
    "pain " * (MAX_MESSAGE_CHARS // 5), "back " * 5000, "x" * 20_000,
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{practice_phone}",
    "{{practice_phone}}", "%s%s%s%n", "${jndi:ldap://127.0.0.1/a}", "' OR 1=1; --",
    "'; DROP TABLE events; --", "..%2F..%2Fetc%2Fpasswd", "/".join([".."] * 4) + "/etc/shadow",
    "/restart", "/session_start",
    "/greet", "/ask_cost", '/ask_cost{"procedure": "' + "x" * 500 + '"}', "/ask_cost{broken",
    "/nonexistent_intent", "/action_restart", "/" * 300, "@" * 100, "#" * 100,
    "how long is recovery?" * 40, "HOW LONG IS RECOVERY", "can't feel my legs" * 3,
    "\\u0000", "null", "undefined", "NaN", "[]", "{}", "true", "0" * 999, "-1", "1e999",
    "https://example.com/" + "a" * 900, "mailto:someone@example.com", "\U0010ffff" * 10,
]


def random_text(rng: random.Random) -> str:
    """A text of random code points from across Unicode (no lone surrogates)."""
    size = rng.choice([1, 5, 50, 300, MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS + 5])
    points = []
    for _ in range(size):
        point = rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x7FF),
                            rng.randint(0x800, 0xD7FF), rng.randint(0xE000, 0x10FFFF)])
        points.append(chr(point))
    return "".join(points)


def hostile_text(rng: random.Random) -> str:
    return rng.choice(TEXTS) if rng.random() < 0.7 else random_text(rng)


def raw_bytes(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


@dataclass
class HttpCase:
    """One request: method, body, headers, query string."""

    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""
    method: str = "POST"


JSON = {"Content-Type": "application/json"}


def rest_cases(rng: random.Random, count: int) -> Iterator[HttpCase]:
    """Requests for POST /webhooks/rest/webhook."""

    def sender() -> str:
        return f"fuzz-{rng.getrandbits(48):x}"

    fixed: list[HttpCase] = [
        HttpCase(b""), HttpCase(b"[]"), HttpCase(b"null"), HttpCase(b'"hi"'), HttpCase(b"42"),
        HttpCase(b"{"), HttpCase(b"\xff\xfe\x00"), HttpCase(b"[" * 100_000, JSON),
        HttpCase(b'{"a":' * 50_000, JSON), HttpCase(b'{"sender": NaN, "message": Infinity}'),
        HttpCase(b'{"sender": "a", "message": "hi", "sender": "b"}'),
        HttpCase(b'{"sender": "a", "message": "\\ud800"}', JSON),
        HttpCase(b'{"sender": "a", "message": "\\udfff\\ud800x"}', JSON),
        HttpCase(b'{"sender": "a", "message": "1e999"}'), HttpCase(b'{"sender": 1e999}'),
        HttpCase(json.dumps({"sender": "a", "message": "x" * 300_000}).encode(), JSON),
        HttpCase(b"x" * 300_000), HttpCase(method="GET"), HttpCase(method="PUT"),
        HttpCase(method="DELETE"), HttpCase(method="PATCH", body=b"{}"),
        HttpCase(b'{"sender": "a", "message": "hi"}', {"Content-Type": "text/plain"}),
        HttpCase(b'{"sender": "a", "message": "hi"}', {"Content-Type": "application/xml"}),
        HttpCase(b'{"sender": "a", "message": "hi"}', {**JSON, "Content-Encoding": "gzip"}),
        HttpCase(b'{"sender": "a", "message": "hi"}', JSON, "?stream=true"),
        HttpCase(b'{"sender": "a", "message": "hi"}', JSON, "?stream"),
        HttpCase(b'{"sender": "a", "message": "hi"}', JSON, "?" + "a=b&" * 2000),
        HttpCase(b'{"sender": "a", "message": "hi"}', {**JSON, "X-Long": "v" * 7000}),
    ]
    yield from fixed
    for _ in range(count - len(fixed)):
        roll = rng.random()
        if roll < 0.45:
            body = {"sender": sender(), "message": hostile_text(rng)}
        elif roll < 0.55:
            body = {"sender": rng.choice(["", " ", "a b", "x" * 500, "\x00", "../x", "💥"]),
                    "message": "hi"}
        elif roll < 0.65:
            value = rng.choice([None, 1, 1.5, True, [], {}, ["hi"], {"text": "hi"}, -1])
            body = {"sender": sender(), "message": value}
        elif roll < 0.72:
            body = {"sender": sender(), "message": "hi", "metadata": {"a": "b" * 50_000},
                    "input_channel": "sms", "customData": [1] * 1000}
        elif roll < 0.80:
            yield HttpCase(raw_bytes(rng, rng.choice([1, 10, 1000, 20_000])), JSON)
            continue
        elif roll < 0.88:
            good = json.dumps({"sender": sender(), "message": hostile_text(rng)}).encode()
            yield HttpCase(good[: rng.randint(0, len(good))], JSON)
            continue
        else:
            body = rng.choice([[], [{"sender": "a", "message": "hi"}], "hi", 0, None,
                               {"message": "hi"}, {"sender": sender()}])
        yield HttpCase(json.dumps(body, ensure_ascii=rng.random() < 0.5).encode(), JSON)


def forged_tokens(rng: random.Random) -> list[object]:
    """Session tokens a stranger might try: made up, unsigned, tampered, of the wrong type."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = base64.urlsafe_b64encode(b'{"sub":"web-0123","exp":9999999999}').rstrip(b"=")
    return [None, "", "1", "web-" + "a" * 32, f"{header}.{claims.decode()}.",
            "a.b.c", "x" * 10_000, 5, [], {"sub": "web-1"}, True,
            "eyJhbGciOiJIUzI1NiJ9." + "A" * 40 + "." + "B" * 43, raw_bytes(rng, 50)]


def socket_events(rng: random.Random, count: int) -> Iterator[tuple[str, object]]:
    """(event, data) for a connected socket.io client."""
    shapes = [None, [], "hello", 5, 1.5, True, {}, {"message": 5}, {"message": None},
              {"message": ["hi"]}, {"message": {"text": "hi"}}, {"text": "hi"},
              {"message": "   "}, b"\x00\x01binary", {"message": b"bytes"}]
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            extra = rng.choice([{}, {"session_id": "web-" + "b" * 32},
                                {"customData": {"a": "b" * 1000}}, {"metadata": [1] * 100}])
            yield "user_uttered", {"message": hostile_text(rng), **extra}
        elif roll < 0.7:
            yield "user_uttered", rng.choice(shapes)
        elif roll < 0.85:
            yield "session_request", {"session_id": rng.choice(forged_tokens(rng))}
        elif roll < 0.92:
            yield "session_request", rng.choice(shapes)
        else:
            yield rng.choice(["bot_uttered", "connect", "disconnect", "x" * 200, "message",
                              "session_confirm", ""]), rng.choice(shapes)


def sms_params(rng: random.Random, count: int) -> Iterator[tuple[dict[str, str], str]]:
    """(form fields, how to sign them: "sign", "none", "wrong") for the SMS webhook."""
    for _ in range(count):
        sender = f"+1501555{rng.randint(0, 9999):04d}"
        params = {"From": sender, "To": "+15016610077", "Body": hostile_text(rng),
                  "MessageSid": f"SM{rng.getrandbits(128):032x}", "AccountSid": "AC123"}
        roll = rng.random()
        if roll < 0.1:
            params.pop(rng.choice(["From", "Body", "MessageSid"]))
        elif roll < 0.2:
            params["From"] = rng.choice(["", "x" * 5000, "\x00", "not a number", "+" * 40])
        elif roll < 0.3:
            params["MessageSid"] = rng.choice(["", "x" * 5000, "SM1", "\x00"])
        elif roll < 0.35:
            params.update({f"Extra{i}": "y" * 100 for i in range(200)})
        elif roll < 0.4:
            params.update(NumMedia="3", MediaUrl0="http://127.0.0.1:1/x.jpg",
                          MediaContentType0="image/jpeg")
        signing = rng.choices(["sign", "none", "wrong"], weights=[8, 1, 1])[0]
        yield params, signing
