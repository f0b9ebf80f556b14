"""The shipped nginx site of the staff studio (deploy/nginx/spine-studio.conf) in front of a real
studio: staff sign in over HTTPS with Secure cookies, plain HTTP moves to HTTPS, nothing but
/studio/ reaches the studio, and a flood of sign-in tries is refused by nginx itself."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.parse

import pytest

from harness.bot_servers import free_port
from tests.support.nginx import ROOT, ported, replace_once, running_nginx, self_signed_certificate
from tests.support.studio_server import PASSWORD, running_studio

pytestmark = pytest.mark.e2e

SITE = "deploy/nginx/spine-studio.conf"
NAME = "studio.example-practice.com"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("studio-proxy")
    (workdir / "nginx").mkdir()
    certificate, key = self_signed_certificate(workdir / "nginx", NAME)
    http_port, https_port = free_port(), free_port()
    with running_studio(workdir, secure_cookies=True) as studio:
        site = ported((ROOT / SITE).read_text(encoding="utf-8"), NAME, http_port, https_port,
                      certificate, key)
        studio_port = urllib.parse.urlparse(studio.base).port
        site = replace_once(site, "server 127.0.0.1:8090;", f"server 127.0.0.1:{studio_port};")
        site = replace_once(site, "/var/log/nginx/spine-studio.access.log",
                            str(workdir / "nginx" / "access.log"))
        with running_nginx(site, https_port, workdir / "nginx"):
            context = ssl.create_default_context(cafile=str(certificate))
            yield https_port, http_port, context


def https(proxy, method: str, path: str, body: str | None = None,
          headers: dict | None = None) -> http.client.HTTPResponse:
    port, _, context = proxy
    # The certificate names the studio's host; the test dials loopback under that name.
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                                          server_hostname=NAME)
    connection.request(method, path, body=body, headers={"Host": NAME, **(headers or {})})
    return connection.getresponse()


def test_staff_sign_in_over_https_with_secure_cookies(proxy):
    page = https(proxy, "GET", "/studio/sign-in")
    assert page.status == 200
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    token = page.read().decode().split('name="csrf_token" value="')[1].split('"')[0]
    form = urllib.parse.urlencode({"name": "ana", "password": PASSWORD, "csrf_token": token})
    signed_in = https(proxy, "POST", "/studio/sign-in", form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie.split(";")[0]})
    assert signed_in.status == 303 and "studio_session=" in signed_in.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in signed_in.headers


def test_plain_http_moves_to_https(proxy):
    _, http_port, _ = proxy
    connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    connection.request("GET", "/studio/sign-in", headers={"Host": NAME})
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{NAME}/studio/sign-in"


@pytest.mark.parametrize("path", ["/", "/webhooks/rest/webhook", "/model", "/studiox"])
def test_nothing_but_the_studio_is_served(proxy, path):
    response = https(proxy, "GET", path)
    assert response.status in (302, 404)
    if response.status == 302:
        assert response.headers["Location"].endswith("/studio/")


def test_a_flood_of_sign_in_tries_is_refused_by_nginx(proxy):
    statuses = [https(proxy, "POST", "/studio/sign-in", "name=x", {
        "Content-Type": "application/x-www-form-urlencoded"}).status for _ in range(12)]
    assert 429 in statuses
