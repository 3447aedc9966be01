"""The browser tests' pulled-out cable (tests/browser.py `Cable`) is a dead network: new connections are
refused and a kept-alive one is cut, and plugged in again it carries requests on the same port."""

import http.client

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pulled_out_cable_refuses_and_cuts_connections(cable):
    login = reverse("login")
    kept = http.client.HTTPConnection("127.0.0.1", cable.port, timeout=10)
    kept.request("GET", login)
    assert kept.getresponse().read() and kept.sock is not None  # kept alive for the next request
    port = cable.port

    cable.pull_out()
    with pytest.raises(OSError):
        kept.request("GET", login)
        kept.getresponse()
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=10).request("GET", login)

    cable.plug_in()
    assert cable.port == port
    again = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    again.request("GET", login)
    assert again.getresponse().status == 200
