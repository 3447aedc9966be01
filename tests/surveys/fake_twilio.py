"""A local stand-in for Twilio's REST API, plugged in as the SDK's HTTP client (twilio.http.HttpClient).

The SDK builds the request as it would for the network; this client turns it into the real HTTP request
(requests' PreparedRequest: URL, Basic auth header, form-encoded body), records it, and answers what
Twilio answers: 201 with a Message resource ("SM…" SID), or Twilio's JSON error for an invalid number
(400, code 21211) or an overload (429, code 20429). No network is used.
"""

import base64
import json
import logging
import re
import secrets
from dataclasses import dataclass
from email.utils import format_datetime
from urllib.parse import parse_qs

import requests
from django.utils import timezone
from twilio.http import HttpClient
from twilio.http.response import Response

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
MESSAGES_PATH = re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$")


@dataclass
class RecordedRequest:
    method: str
    url: str
    headers: dict
    form: dict[str, str]  # the decoded form body, one value per field

    @property
    def basic_auth(self) -> tuple[str, str]:
        user, _, password = base64.b64decode(self.headers["Authorization"].split()[1]).decode().partition(":")
        return user, password


class FakeTwilioHttpClient(HttpClient):
    def __init__(self, *, invalid: set[str] | None = None, overloaded: bool = False):
        super().__init__(logger=logging.getLogger(__name__), is_async=False)
        self.requests: list[RecordedRequest] = []
        self.invalid = set(invalid or ())  # numbers Twilio rejects as not valid
        self.overloaded = overloaded

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        prepared = requests.Request(
            method, url, params=params, data=data, headers=headers, auth=auth
        ).prepare()
        body = prepared.body or ""
        body = body.decode() if isinstance(body, bytes) else body
        form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
        recorded = RecordedRequest(prepared.method, prepared.url, dict(prepared.headers), form)
        self.requests.append(recorded)
        match = MESSAGES_PATH.match(prepared.url)
        if prepared.method != "POST" or not match:
            return self._error(404, 20404, "The requested resource was not found")
        if self.overloaded:
            return self._error(429, 20429, "Too Many Requests")
        to = form.get("To", "")
        if to in self.invalid or not E164.match(to):
            return self._error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        return Response(
            201, json.dumps(self._message(match.group(1), form)), {"Content-Type": "application/json"}
        )

    def _message(self, account: str, form: dict) -> dict:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(timezone.now())
        body = form.get("Body", "")
        return {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(max(1, -(-len(body) // 153))),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
            "to": form.get("To"),
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }

    @staticmethod
    def _error(status: int, code: int, message: str) -> Response:
        payload = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return Response(status, json.dumps(payload), {"Content-Type": "application/json"})
