"""How often one sender, or one network address, may reach the bot (REST, web chat, SMS).

Every message costs the NLU and the policies tens of milliseconds, and every SMS reply is
billed: a flood from one client must not slow the bot for everyone else, nor run up costs.
The first message over a limit gets one clear "slow down" answer; later ones get silence
until the window has passed.

Memory stays bounded however many senders a flood invents: each key keeps at most `limit + 1`
times, and past `max_keys` keys the one seen longest ago is forgotten.

With several Rasa servers (RATE_LIMIT_REDIS_URL set), every server counts in one Redis, so a
client's limit is the same whichever server its messages reach (SharedRateLimiter).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from typing import Any

from runtime.addresses import is_loopback
from runtime.settings import load_settings

logger = logging.getLogger(__name__)

ALLOW, WARN, DROP = "allow", "warn", "drop"
MAX_KEYS = 50_000
# An address is an IP address; a longer header value is not one.
MAX_ADDRESS_CHARS = 64


class RateLimiter:
    """At most `limit` messages per `window` seconds per key."""

    ALLOW, WARN, DROP = ALLOW, WARN, DROP

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._warned: dict[str, float] = {}

    def check(self, key: str) -> str:
        now = self._clock()
        recent = self._seen.pop(key, None)
        if recent is None:
            recent = deque(maxlen=self.limit + 1)
        self._seen[key] = recent  # now the most recently seen
        while len(self._seen) > self.max_keys:
            forgotten, _ = self._seen.popitem(last=False)
            self._warned.pop(forgotten, None)
        while recent and now - recent[0] >= self.window:
            recent.popleft()
        recent.append(now)
        if len(recent) <= self.limit:
            self._warned.pop(key, None)
            return ALLOW
        if key in self._warned:
            return DROP
        self._warned[key] = now
        return WARN

    def __len__(self) -> int:
        return len(self._seen)


class SharedRateLimiter:
    """The same limit, counted in Redis by every Rasa server: a window per key that starts with
    its first message (INCR, then EXPIRE NX, in one round trip; Redis forgets the key when the
    window ends, so memory is bounded by the keys of one window). If Redis cannot be reached,
    messages are allowed (the patient is answered) and the error is logged once a minute."""

    ALLOW, WARN, DROP = ALLOW, WARN, DROP

    def __init__(self, client: Any, limit: int, window: float, prefix: str) -> None:
        self.limit = limit
        self.window = window
        self._client = client
        self._prefix = prefix
        self._quiet_until = 0.0

    def check(self, key: str) -> str:
        name = f"rate:{self._prefix}:{key}"
        try:
            pipeline = self._client.pipeline()
            pipeline.incr(name)
            pipeline.expire(name, max(1, int(self.window)), nx=True)
            count = pipeline.execute()[0]
        except Exception as error:  # noqa: BLE001 - a limit must not silence the bot
            if time.monotonic() >= self._quiet_until:
                logger.error("Rate limits: Redis is unreachable (%s); allowing messages.",
                             type(error).__name__)
                self._quiet_until = time.monotonic() + 60
            return ALLOW
        if count <= self.limit:
            return ALLOW
        return WARN if count == self.limit + 1 else DROP


def rate_limiter(limit: int, window: float, name: str) -> RateLimiter | SharedRateLimiter:
    """The limit counted in Redis when RATE_LIMIT_REDIS_URL names one, else in this process."""
    url = load_settings().rate_limit_redis_url
    if not url:
        return RateLimiter(limit, window)
    import redis  # installed with Rasa (its Redis lock store)
    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return SharedRateLimiter(client, limit, window, name)


def strictest(*verdicts: str) -> str:
    """The strictest of several limits' verdicts."""
    for verdict in (DROP, WARN):
        if verdict in verdicts:
            return verdict
    return ALLOW


class ChannelLimits:
    """A channel's two limits: per sender (a conversation or a phone number) and per network
    address. `address` None means a request from this host itself that did not come through
    the reverse proxy (the practice's own tools): limited per sender only."""

    def __init__(self, per_sender: RateLimiter | SharedRateLimiter,
                 per_address: RateLimiter | SharedRateLimiter) -> None:
        self.per_sender = per_sender
        self.per_address = per_address

    @classmethod
    def from_credentials(cls, channel: str, credentials: Mapping[str, Any] | None,
                         sender_default: int, address_default: int) -> ChannelLimits:
        credentials = credentials or {}
        window = positive_setting(channel, "rate_window_seconds", credentials, 60)
        prefix = channel.lower().replace(" ", "-")
        return cls(
            rate_limiter(positive_setting(channel, "rate_limit", credentials, sender_default),
                         window, f"{prefix}:sender"),
            rate_limiter(positive_setting(channel, "address_rate_limit", credentials,
                                          address_default), window, f"{prefix}:address"),
        )

    @property
    def window(self) -> int:
        """Seconds a client over a limit should wait (both limits share the window)."""
        return int(self.per_sender.window)

    def check_address(self, address: str | None) -> str:
        return ALLOW if address is None else self.per_address.check(network_of(address))

    def check_sender(self, sender: str) -> str:
        return self.per_sender.check(sender)


def positive_setting(channel: str, name: str, settings: Mapping[str, Any], default: int) -> int:
    """A whole number above zero from credentials.yml; anything else is reported and
    replaced by the default (a typo must not switch a limit off, nor stop the server)."""
    raw = settings.get(name, default)
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value < 1:
        logger.warning("%s channel: %s %r is not a positive whole number; using %d.",
                       channel, name, raw, default)
        return default
    return value


# An IPv6 home or phone connection is given a whole /64 and picks its addresses from it at
# will (privacy addresses change daily): counted per address, one device could send as 2^64
# clients. The same prefix length as deploy/nginx's limits.
IPV6_PREFIX = 64


def network_of(address: str) -> str:
    """What an address limit counts: an IPv4 address, or the /64 an IPv6 address is in."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is an IPv4 client
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))


def client_address(peer: str, forwarded_for: str | None) -> str | None:
    """The address a request came from.

    Behind the reverse proxy every request reaches the bot from loopback, and nginx names the
    client in X-Forwarded-For (set, never appended: deploy/nginx). That header is believed only
    from a loopback peer, i.e. the proxy on this host; from anyone else it is the client's own
    claim and is ignored. A loopback request without it came from this host itself: None.
    """
    if not is_loopback(peer):
        return peer[:MAX_ADDRESS_CHARS]
    if forwarded_for and forwarded_for.strip():
        # The last entry is the one the nearest proxy added.
        return forwarded_for.split(",")[-1].strip()[:MAX_ADDRESS_CHARS] or None
    return None
