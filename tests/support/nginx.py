"""Run nginx with the shipped site config (deploy/nginx/spine-assistant.conf) in front of a
running bot, on this test's own ports, with a self-signed certificate.

Only what a test cannot have is changed: the ports, the certificate and log paths, and the
Rasa server's port. Each change must find its text, so the shipped file cannot drift from
what is tested.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "spine-assistant.conf"
SERVER_NAME = "chat.example-practice.com"


@dataclass
class Proxy:
    https_url: str
    http_url: str
    certificate: Path
    access_log: Path
    rasa_log: Path | None = None


def nginx_binary() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(path).exists(), "nginx is missing: `make nginx` installs Debian's package"
    return path


def self_signed_certificate(folder: Path, name: str = SERVER_NAME) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )
    return certificate, key


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, f"the site no longer has {old!r}: update tests/support/nginx.py"
    return text.replace(old, new)


def ported(site: str, server_name: str, http_port: int, https_port: int, certificate: Path,
           key: Path) -> str:
    """A shipped site on this test's loopback ports, with its certificate."""
    for old, new in [
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        (f"/etc/letsencrypt/live/{server_name}/fullchain.pem", str(certificate)),
        (f"/etc/letsencrypt/live/{server_name}/privkey.pem", str(key)),
    ]:
        site = replace_once(site, old, new)
    return site


def site_for_test(rasa_port: int, http_port: int, https_port: int, certificate: Path,
                  key: Path, access_log: Path) -> str:
    site = ported(SITE.read_text(encoding="utf-8"), SERVER_NAME, http_port, https_port,
                  certificate, key)
    for old, new in [
        ("server 127.0.0.1:5005;", f"server 127.0.0.1:{rasa_port};"),
        ("/var/log/nginx/spine-assistant.access.log", str(access_log)),
        # Every test client dials from 127.0.0.1: it names the address it stands for in
        # X-Forwarded-For, as if it came from there (IPv4 or IPv6), so the limits per client
        # can be tried.
        ("    server_tokens off;\n", "    server_tokens off;\n    set_real_ip_from 127.0.0.1;\n"
                                  "    real_ip_header X-Forwarded-For;\n"),
    ]:
        site = replace_once(site, old, new)
    return site


def main_config(folder: Path, site: Path) -> str:
    # As root, nginx's workers would otherwise run as nobody, who cannot enter pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"  {kind}_temp_path {folder / kind};"
                     for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
    return (f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n{temp}\n  include {site};\n}}\n")


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nginx not listening on {port}:\n{log.read_text()[-2000:]}")


@contextlib.contextmanager
def running_proxy(rasa_port: int, http_port: int, https_port: int,
                  folder: Path) -> Iterator[Proxy]:
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = self_signed_certificate(folder)
    access_log = folder / "access.log"
    with running_nginx(site_for_test(rasa_port, http_port, https_port, certificate, key,
                                     access_log), https_port, folder):
        yield Proxy(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}",
                    certificate, access_log)


@contextlib.contextmanager
def running_nginx(site_text: str, https_port: int, folder: Path) -> Iterator[None]:
    """nginx serving `site_text` until the block ends."""
    site = folder / "site.conf"
    site.write_text(site_text)
    config = folder / "nginx.conf"
    config.write_text(main_config(folder, site))
    checked = subprocess.run([nginx_binary(), "-t", "-c", str(config), "-p", str(folder)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    log = folder / "nginx.out"
    process = subprocess.Popen([nginx_binary(), "-c", str(config), "-p", str(folder)],
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for_port(https_port, process, folder / "error.log")
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)
