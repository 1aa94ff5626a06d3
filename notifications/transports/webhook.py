"""Webhooks: a JSON POST signed with HMAC-SHA256 (see notifications/WEBHOOKS.md)."""

import hashlib
import hmac
import time

import requests
from django.conf import settings

from notifications.transports.base import Transport, TransportError


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, delivery_id: str, event: str, now: float | None = None) -> dict:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "partnership-tracker-webhook/1",
        "X-Tracker-Delivery": delivery_id,
        "X-Tracker-Event": event,
        "X-Tracker-Timestamp": timestamp,
        "X-Tracker-Signature": f"sha256={sign(secret, timestamp, body)}",
    }


class WebhookTransport(Transport):
    def send(self, notification) -> int | None:
        body = notification.body.encode()
        headers = signed_headers(
            self.channel.secret, body, delivery_id=str(notification.pk), event=notification.reason.split(":")[0]
        )
        try:
            response = requests.post(
                self.channel.target,
                data=body,
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as exc:  # refused, reset, timed out, DNS: worth another try
            raise TransportError(f"{exc.__class__.__name__}: {exc}") from None
        code = response.status_code
        if 200 <= code < 300:
            return code
        detail = f"HTTP {code}: {response.text[:200]}"
        # 3xx (not followed) and 4xx: the receiver refuses this request as such; sending it again cannot help.
        # 429 (slow down) and 408 (timeout) are the exceptions worth retrying.
        permanent = 300 <= code < 500 and code not in (408, 429)
        raise TransportError(detail, permanent=permanent, response_code=code)
