"""One transport per channel kind; each raises TransportError(permanent=...) on failure."""

from notifications.transports.base import TransportError
from notifications.transports.email import EmailTransport
from notifications.transports.webhook import WebhookTransport

TRANSPORTS = {"email": EmailTransport, "webhook": WebhookTransport}

__all__ = ["TRANSPORTS", "TransportError"]
