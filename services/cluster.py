"""Several Rasa servers behind nginx, on Rasa's own scale-out parts: `make run-cluster`.

    PostgreSQL   conversations (Rasa's SQL tracker store) and the SMS channel's state
    Redis        Rasa's lock store (one server handles a conversation at a time), rate limits
    REPLICAS     Rasa servers (default 2), each with its own action server
    model server one, polled by every Rasa server: `make train` reaches them all
    nginx        one port (CLUSTER_PORT, default 8000) on 127.0.0.1; socket.io and REST
                 sticky by client address (a socket's polling and WebSocket requests reach
                 one server; a patient's next turn reaches the server that remembers the
                 conversation), SMS (all from the gateway's few addresses) spread over all

All on loopback, from Debian's packages, with their data and generated secrets under
state/cluster/ (owner-only). The servers' runtime is endpoints.yml's, with only what a
cluster changes: the tracker store's database (PostgreSQL, `cache_conversations: 0`: every
turn written before the reply, a remembered conversation used only while the database holds
nothing newer), the lock store (Redis) and each helper's port. Ctrl-C stops all.
`make run` stays the single-host bot (one Rasa server, SQLite).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from channels.sms_state import POSTGRES_TIMEOUTS
from runtime.settings import load_settings, settings_or_exit
from services import launch
from services.endpoints import endpoints_with
from services.processes import free_port, is_up, listening, start, stop, wait_for

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "spine"


def secret(path: Path) -> str:
    """A random secret kept in `path` (owner-only), the same at every start."""
    if not path.exists():
        path.write_text(secrets.token_hex(24))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Cluster:
    url: str
    model: Path  # with the model server on, publishing another model here reaches every server
    rasa_urls: list[str]
    database_url: str
    redis_url: str
    folder: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    postgres: Postgres | None = None

    def restart_redis(self) -> None:
        """Redis stopped and started again on its port (its locks and counters are gone)."""
        old = self.processes["redis"]
        stop(old)
        self.processes["redis"] = subprocess.Popen(
            old.args, cwd=ROOT, stdout=(self.folder / "logs" / "redis.log").open("a"),
            stderr=subprocess.STDOUT, start_new_session=True)
        port = int(self.redis_url.rsplit(":", 1)[1].split("/")[0])
        wait_for(lambda: listening(port), self.processes["redis"], "Redis",
                 self.folder / "logs" / "redis.log")

    def restart_postgres(self) -> None:
        assert self.postgres is not None
        self.postgres.stop()
        self.postgres.start()


class Postgres:
    """Debian's PostgreSQL server, its data in `folder`, password authentication only."""

    def __init__(self, folder: Path, port: int, secrets_folder: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                          key=lambda path: int(path.parent.parent.name))
        if not versions:
            raise RuntimeError("PostgreSQL's server is not installed: run `make postgres`.")
        self.programs, self.folder, self.port = versions[-1].parent, folder, port
        self.owner = "postgres" if os.geteuid() == 0 else None  # it refuses to run as root
        self.password = secret(secrets_folder / "postgres.password")

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", self.owner, "--", *command] if self.owner else command

    def start(self) -> None:
        data = self.folder / "data"
        if not data.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            password_file = self.folder / "initial-password"
            password_file.write_text(self.password)
            if self.owner:
                user = pwd.getpwnam(self.owner)
                for path in (self.folder, password_file):
                    os.chown(path, user.pw_uid, user.pw_gid)
            subprocess.run(self._as_owner([
                str(self.programs / "initdb"), "-D", str(data), "-U", "postgres",
                "-A", "scram-sha-256", f"--pwfile={password_file}"]),
                check=True, capture_output=True)
            password_file.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                   f"-c unix_socket_directories={self.folder}")
        subprocess.run(self._as_owner([str(self.programs / "pg_ctl"), "-D", str(data), "-o",
                                       options, "-l", str(self.folder / "postgres.log"),
                                       "-w", "start"]), check=True, capture_output=True)
        self._create_database()

    def _create_database(self) -> None:
        """The database and its tables, before any Rasa server starts: servers starting
        together would each try to create them."""
        import sqlalchemy as sa
        from rasa.core.tracker_store import SQLTrackerStore

        from channels.sms_state import SmsState
        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": DATABASE}).scalar()
            if not exists:
                connection.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
        engine.dispose()
        SQLTrackerStore(dialect="postgresql", host="127.0.0.1", port=self.port, db=DATABASE,
                        username="postgres", password=self.password).engine.dispose()
        SmsState(self.url()).close()

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(self._as_owner([str(self.programs / "pg_ctl"), "-D",
                                       str(self.folder / "data"), "-m", "fast", "-w", "stop"]),
                       capture_output=True)


def nginx_site(port: int, rasa_ports: list[int], folder: Path) -> str:
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;"
                        for p in rasa_ports)
    # Run by root (a development machine), the workers must reach this folder too.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream spine_rasa {{
{servers}
  }}
  # A client's requests reach one server: socket.io keeps a socket's session there, and a
  # patient's next turn finds the conversation in that server's memory (elsewhere it is read
  # from PostgreSQL). A server that fails: its clients move to the others.
  upstream spine_rasa_sticky {{
    hash $remote_addr consistent;
{servers}
  }}
  map $http_upgrade $spine_connection {{ default upgrade; "" ""; }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 16k;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $spine_connection;
    proxy_read_timeout 30s;
    # A server that is down, stopping or dies mid-turn: the request goes to the next one,
    # POSTs too (non_idempotent): a turn carries its message id, and one already run is
    # answered with the reply given, not run again (channels/turn_ids.py).
    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    location = /webhooks/rest/webhook {{ proxy_pass http://spine_rasa_sticky; }}
    location = /webhooks/sms/webhook {{ proxy_pass http://spine_rasa; }}
    location /socket.io/ {{ proxy_pass http://spine_rasa_sticky; proxy_read_timeout 120s; }}
    location /widget/ {{ proxy_pass http://spine_rasa; }}
    location / {{ return 404; }}
  }}
}}
"""


def endpoints_for(replica: int, action_port: int, postgres: Postgres, redis_port: int,
                  redis_password: str, model_url: str | None, folder: Path) -> Path:
    """endpoints.yml, with what a cluster changes (see the module's docstring)."""
    return endpoints_with(
        folder / f"endpoints-{replica}.yml", f"http://127.0.0.1:{action_port}/webhook",
        model_url,
        {"dialect": "postgresql", "url": "127.0.0.1", "port": postgres.port, "db": DATABASE,
         "username": "postgres", "password": postgres.password, "cache_conversations": 0,
         # libpq's limits, as the SMS state's (channels/sms_state.py)
         "query": {key: str(value) for key, value in POSTGRES_TIMEOUTS.items()}},
        {"type": "redis", "url": "127.0.0.1", "port": redis_port, "password": redis_password,
         "db": 1})


def postgres_home() -> Path:
    """Where PostgreSQL keeps the cluster's data. PostgreSQL refuses to run as root; run by
    root, it runs as Debian's `postgres` user, which cannot enter state/ (0700): its data then
    lives in that user's own home, as Debian's own clusters do."""
    if os.geteuid() == 0:
        return Path(pwd.getpwnam("postgres").pw_dir) / "spine-assistant-cluster"
    return ROOT / "state" / "cluster" / "postgres"


@contextlib.contextmanager
def scratch_postgres_folder() -> Iterator[Path]:
    """An empty folder for a throw-away PostgreSQL (tests, make bench-cluster), that
    PostgreSQL's own user may use when run by root (see postgres_home); removed after."""
    folder = Path(tempfile.mkdtemp(prefix="cluster-pg-"))
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_cluster(model: Path, replicas: int = 2, port: int = 8000,
                    folder: Path = ROOT / "state" / "cluster",
                    postgres_folder: Path | None = None,
                    model_server: bool = True) -> Iterator[Cluster]:
    old_umask = os.umask(0o077)
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    postgres = Postgres(postgres_folder or postgres_home(), free_port(), folder)
    redis_port, redis_password = free_port(), secret(folder / "redis.password")
    processes: dict[str, subprocess.Popen] = {}
    postgres_started = False
    try:
        postgres.start()
        postgres_started = True
        redis_config = folder / "redis.conf"
        redis_config.write_text(f"bind 127.0.0.1\nport {redis_port}\nrequirepass "
                                f"{redis_password}\nsave \"\"\nappendonly no\ndir {folder}\n")
        processes["redis"] = start([shutil.which("redis-server") or "redis-server",
                                    str(redis_config)], logs / "redis.log")
        wait_for(lambda: listening(redis_port), processes["redis"], "Redis", logs / "redis.log")
        redis_url = f"redis://:{redis_password}@127.0.0.1:{redis_port}/0"
        model_url = None
        if model_server:
            model_port = free_port()
            model_url = f"http://127.0.0.1:{model_port}/{model.name}"
            processes["models"] = start(launch.model_server(model.parent, model_port),
                                        logs / "model-server.log", launch.SERVER_ENV)
        env = {**launch.SERVER_ENV, "SMS_STATE_URL": postgres.url(),
               "RATE_LIMIT_REDIS_URL": redis_url,
               # A server killed mid-turn leaves its conversations locked in Redis until the
               # lock expires (Rasa's default: 60 s, longer than nginx or Twilio wait). A turn
               # takes well under a second (a custom action gives up at 2.5 s).
               "TICKET_LOCK_LIFETIME": str(load_settings().ticket_lock_lifetime or 10)}
        rasa_ports = []
        for replica in range(replicas):
            action_port, rasa_port = free_port(), free_port()
            rasa_ports.append(rasa_port)
            processes[f"actions-{replica}"] = start(
                launch.action_server(action_port), logs / f"action-server-{replica}.log", env)
            endpoints = endpoints_for(replica, action_port, postgres, redis_port,
                                      redis_password, model_url, folder)
            processes[f"rasa-{replica}"] = start(
                launch.rasa_server(model, rasa_port, endpoints, ROOT / "credentials.yml"),
                logs / f"rasa-server-{replica}.log", env)
        for replica, rasa_port in enumerate(rasa_ports):
            wait_for(lambda p=rasa_port: is_up(f"http://127.0.0.1:{p}/"),
                     processes[f"rasa-{replica}"], f"Rasa server {replica}",
                     logs / f"rasa-server-{replica}.log")
        nginx_folder = folder / "nginx"
        nginx_folder.mkdir(exist_ok=True)
        site = nginx_folder / "nginx.conf"
        site.write_text(nginx_site(port, rasa_ports, nginx_folder))
        processes["nginx"] = start([shutil.which("nginx") or "/usr/sbin/nginx", "-c",
                                    str(site), "-g", "daemon off;"], logs / "nginx.log")
        wait_for(lambda: listening(port), processes["nginx"], "nginx", logs / "nginx.log")
        yield Cluster(f"http://127.0.0.1:{port}", model,
                      [f"http://127.0.0.1:{p}" for p in rasa_ports],
                      postgres.url(), redis_url, folder, processes, postgres)
    finally:
        for process in reversed(list(processes.values())):
            stop(process)
        if postgres_started:
            postgres.stop()
        os.umask(old_umask)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    replicas, port = settings.replicas, settings.cluster_port
    with running_cluster(args.model, replicas, port) as cluster:
        print(f"The bot answers on {cluster.url} (REST /webhooks/rest/webhook, socket.io, "
              f"SMS /webhooks/sms/webhook) from {replicas} Rasa servers; Ctrl-C stops all.",
              flush=True)
        try:
            while all(p.poll() is None for p in cluster.processes.values()):
                time.sleep(1)
            print("A process stopped; stopping the cluster.", file=sys.stderr)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main())
