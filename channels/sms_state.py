"""What the SMS channel must remember across requests and restarts: opt-outs, answered message
ids, pending numbered choices, and which conversations were given the privacy notice.

One SQLite file on a single host (state/sms.sqlite3, owner-only); with several Rasa servers,
the shared PostgreSQL database (SMS_STATE_URL), so that a STOP received by one server is
honoured by all and one message id is answered once whichever server it reaches. The same
SQLAlchemy statements serve both: each decision that must hold across servers ("first
delivery of this id?", "first message of this conversation?") is one atomic insert.

Numbers are never stored: every key is the keyed hash the channel uses as the sender id.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from storage.private_files import erasing_deletes, private_file

# A retried webhook arrives within minutes; a day of answered message ids is plenty.
PROCESSED_RETENTION_SECONDS = 24 * 3600
# A numbered choice answers the message just sent: a "1" an hour later (a new session, as
# domain.yml's session_expiration_time ends one) is a new message, not that choice.
CHOICES_SECONDS = 3600

metadata = sa.MetaData()
opt_outs = sa.Table("sms_opt_outs", metadata, sa.Column("sender", sa.Text, primary_key=True),
                    sa.Column("since", sa.Float, nullable=False))
answered = sa.Table("sms_answered", metadata,
                    sa.Column("message_sid", sa.Text, primary_key=True),
                    sa.Column("twiml", sa.Text, nullable=False),
                    sa.Column("at", sa.Float, nullable=False, index=True),
                    sa.Column("sender", sa.Text, index=True))
claimed = sa.Table("sms_claimed", metadata, sa.Column("message_sid", sa.Text, primary_key=True),
                   sa.Column("at", sa.Float, nullable=False, index=True),
                   sa.Column("sender", sa.Text, index=True))
choices = sa.Table("sms_choices", metadata, sa.Column("sender", sa.Text, primary_key=True),
                   sa.Column("payloads", sa.Text, nullable=False),
                   sa.Column("at", sa.Float, nullable=False, index=True))
notified = sa.Table("sms_notified", metadata, sa.Column("sender", sa.Text, primary_key=True),
                    sa.Column("at", sa.Float, nullable=False, index=True))

# Tables of the first releases (SQLite only): opt-outs are copied over (they must survive), the
# others only cached replies for a day and are dropped.
OLD_OPT_OUTS, OLD_CACHES = "opt_outs", ("answered", "claimed", "choices", "notified")


# A PostgreSQL server that stops answering (its host gone, a network split) costs a request
# seconds, not forever: libpq's timeout for connecting, TCP keepalives for a connection waiting
# on an answer, a limit on unacknowledged data, and the server's own limit per statement. The
# cluster's tracker store gets the same (services/cluster.py, docs/deploy.md).
POSTGRES_TIMEOUTS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5,
                     "keepalives_interval": 2, "keepalives_count": 2, "tcp_user_timeout": 5000,
                     "options": "-c statement_timeout=5000"}


def engine_for(location: Path | str) -> sa.engine.Engine:
    """A database URL (postgresql://...) as it is, or a SQLite file, created owner-only."""
    if isinstance(location, str) and "://" in location:
        options = POSTGRES_TIMEOUTS if location.startswith("postgresql") else {}
        return sa.create_engine(location, pool_pre_ping=True, pool_timeout=5,
                                connect_args=options)
    engine = sa.create_engine(f"sqlite:///{private_file(Path(location))}")

    @sa.event.listens_for(engine, "connect")
    def write_ahead(connection, _record) -> None:  # readers never wait for the writer
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=5000")

    return erasing_deletes(engine)


class SmsState:
    def __init__(self, location: Path | str) -> None:
        self.engine = engine_for(location)
        self._drop_choices_without_time()
        try:
            metadata.create_all(self.engine)
        except sa.exc.DBAPIError:  # another server created them at the same moment
            metadata.create_all(self.engine)
        self._insert = postgresql.insert if self.engine.dialect.name == "postgresql" \
            else sqlite.insert
        self._copy_old_opt_outs()

    def close(self) -> None:
        self.engine.dispose()

    def _drop_choices_without_time(self) -> None:
        """Pending choices of releases that kept them forever are dropped: none can be told
        fresh from a year old (they are recreated with the time they were offered)."""
        with self.engine.begin() as connection:
            inspector = sa.inspect(connection)
            if inspector.has_table(choices.name) and "at" not in {
                    column["name"] for column in inspector.get_columns(choices.name)}:
                connection.execute(sa.text(f"DROP TABLE {choices.name}"))

    def _copy_old_opt_outs(self) -> None:
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.begin() as connection:
            if sa.inspect(connection).has_table(OLD_OPT_OUTS):
                rows = connection.execute(sa.text(f"SELECT sender, since FROM {OLD_OPT_OUTS}"))
                for sender, since in rows.fetchall():
                    connection.execute(self._insert(opt_outs).values(sender=sender, since=since)
                                       .on_conflict_do_nothing())
                connection.execute(sa.text(f"DROP TABLE {OLD_OPT_OUTS}"))
            for table in OLD_CACHES:
                connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))

    def _added(self, table: sa.Table, **values: object) -> bool:
        """Insert unless the key is there; whether this call inserted it (atomic)."""
        with self.engine.begin() as connection:
            result = connection.execute(self._insert(table).values(**values)
                                        .on_conflict_do_nothing())
            return result.rowcount == 1

    def _put(self, table: sa.Table, key: str, **values: object) -> None:
        """Insert or replace."""
        statement = self._insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[key], set_={name: statement.excluded[name] for name in values
                                        if name != key})
        with self.engine.begin() as connection:
            connection.execute(statement)

    def _delete(self, table: sa.Table, *conditions: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(*conditions))

    def _one(self, column: sa.Column, *conditions: object) -> object | None:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(column).where(*conditions)).scalar()

    def is_opted_out(self, sender: str) -> bool:
        return self._one(opt_outs.c.sender, opt_outs.c.sender == sender) is not None

    def opt_out(self, sender: str) -> None:
        self._added(opt_outs, sender=sender, since=time.time())

    def opt_in(self, sender: str) -> None:
        self._delete(opt_outs, opt_outs.c.sender == sender)

    def claim(self, message_sid: str, sender: str) -> bool:
        """True for the first delivery of a message id only, however many arrive at once:
        one atomic insert decides, before the bot is asked."""
        return self._added(claimed, message_sid=message_sid, at=time.time(), sender=sender)

    def answer_for(self, message_sid: str) -> str | None:
        return self._one(answered.c.twiml, answered.c.message_sid == message_sid)

    def remember_answer(self, message_sid: str, twiml: str, sender: str) -> None:
        now = time.time()
        self._put(answered, "message_sid", message_sid=message_sid, twiml=twiml, at=now,
                  sender=sender)
        self.expire_answers(now)

    def expire_answers(self, now: float | None = None) -> None:
        """Forget answered message ids older than a day (their replies are health data)."""
        cutoff = (time.time() if now is None else now) - PROCESSED_RETENTION_SECONDS
        self._delete(answered, answered.c.at < cutoff)
        self._delete(claimed, claimed.c.at < cutoff)
        self._delete(choices, choices.c.at < cutoff)

    def expire_conversations(self, days: int, now: float | None = None) -> None:
        """With the conversations themselves (storage/retention.py): a number not heard
        from for `days` gets the privacy notice again. Opt-outs are kept."""
        cutoff = (time.time() if now is None else now) - days * 86400
        self._delete(notified, notified.c.at < cutoff)
        self.expire_answers(now)

    def first_message(self, sender: str) -> bool:
        """True once per conversation: whether it still needs the privacy notice."""
        return self._added(notified, sender=sender, at=time.time())

    def forget(self, sender: str) -> None:
        """Everything kept for this number, but its opt-out ("forget me"; STOP still holds)."""
        for table in (answered, claimed, choices, notified):
            self._delete(table, table.c.sender == sender)

    def choices_for(self, sender: str, now: float | None = None) -> list[str]:
        """The numbered choices last offered to this number, if offered within the hour."""
        since = (time.time() if now is None else now) - CHOICES_SECONDS
        payloads = self._one(choices.c.payloads, choices.c.sender == sender,
                             choices.c.at >= since)
        return json.loads(payloads) if payloads else []

    def remember_choices(self, sender: str, payloads: list[str],
                         now: float | None = None) -> None:
        if payloads:
            self._put(choices, "sender", sender=sender, payloads=json.dumps(payloads),
                      at=time.time() if now is None else now)
        else:
            self._delete(choices, choices.c.sender == sender)
