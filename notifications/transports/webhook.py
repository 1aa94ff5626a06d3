"""Webhooks: a JSON POST signed with HMAC-SHA256 (see notifications/WEBHOOKS.md).

Anyone may add a webhook, so a webhook must not become a way into the tracker's own
network: the receiver's host is resolved, and every address it resolves to must be
public or inside settings.WEBHOOK_ALLOWED_NETWORKS. That is checked when the channel
is saved and again before each send, and the send then connects to the very address
checked, so a name that answers differently the second time (DNS rebinding) gains nothing.
"""

import hashlib
import hmac
import http
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from notifications.transports.base import Transport, TransportError

REFUSED_ADDRESS = "address refused: the host resolves to a non-public address"


class AddressRefused(Exception):
    pass


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


def address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = address.ipv4_mapped
    for network in settings.WEBHOOK_ALLOWED_NETWORKS:
        if address in ipaddress.ip_network(network, strict=False):
            return True
    # is_global alone lets multicast through; the others are spelled out for the reader.
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_reserved or address.is_multicast or address.is_unspecified
    )  # fmt: skip


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise TransportError("invalid port in the URL", permanent=True) from None
    return parts.hostname or "", port or (443 if parts.scheme == "https" else 80)


def resolve(url: str) -> list[str]:
    """The addresses the URL's host resolves to, all allowed; AddressRefused if any is not.

    Raises socket.gaierror (and UnicodeError for an unencodable name) when it does not resolve.
    """
    host, port = _host_and_port(url)
    addresses = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = sockaddr[0]
        if not address_allowed(ipaddress.ip_address(address)):
            raise AddressRefused(address)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(f"{host} has no address")
    return addresses


def target_refused(url: str) -> bool:
    """For saving a channel: does the URL's host resolve to an address webhooks may not go to?

    A name that does not resolve (yet) is not refused here; every send checks again.
    """
    try:
        resolve(url)
    except AddressRefused:
        return True
    except (OSError, UnicodeError, TransportError):
        return False
    return False


class _PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked instead of resolving the host again.

    The URL keeps its host name, so the Host header, TLS SNI and certificate check use it.
    """

    def __init__(self, address: str):
        self.address = address
        super().__init__(max_retries=0)

    def send(self, request, **kwargs):
        # Never through an HTTP(S)_PROXY from the environment: the proxy would resolve the name again.
        return super().send(request, **(kwargs | {"proxies": {}}))

    # The hook requests (2.32 and later; pinned in requirements.txt) calls to pick a connection pool.
    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs = pool_kwargs | {"server_hostname": host_params["host"], "assert_hostname": host_params["host"]}
        return self.poolmanager.connection_from_host(**(host_params | {"host": self.address}), pool_kwargs=pool_kwargs)


def _post(url: str, address: str, *, body: bytes, headers: dict) -> requests.Response:
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    with requests.Session() as session:
        adapter = _PinnedAdapter(address)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(
            url,
            data=body,
            headers=headers | {"Host": netloc},
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )


def _status_text(code: int) -> str:
    # The standard phrase, never the receiver's own words: its answer is not read back to the channel's owner.
    try:
        return f"HTTP {code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


class WebhookTransport(Transport):
    def send(self, notification) -> int | None:
        url = self.channel.target
        try:
            address = resolve(url)[0]
        except AddressRefused:
            raise TransportError(REFUSED_ADDRESS, permanent=True) from None
        except (OSError, UnicodeError) as exc:  # does not resolve (now): worth another try
            raise TransportError(f"DNS: {exc.__class__.__name__}: {exc}") from None
        body = notification.body.encode()
        headers = signed_headers(
            self.channel.secret, body, delivery_id=str(notification.pk), event=notification.reason.split(":")[0]
        )
        try:
            response = _post(url, address, body=body, headers=headers)
        except requests.RequestException as exc:  # refused, reset, timed out: worth another try
            raise TransportError(f"{exc.__class__.__name__}: {exc}") from None
        code = response.status_code
        if 200 <= code < 300:
            return code
        # 3xx (not followed) and 4xx: the receiver refuses this request as such; sending it again cannot help.
        # 429 (slow down) and 408 (timeout) are the exceptions worth retrying.
        permanent = 300 <= code < 500 and code not in (408, 429)
        raise TransportError(_status_text(code), permanent=permanent, response_code=code)
