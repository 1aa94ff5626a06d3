import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage

from notifications.transports.base import Transport, TransportError


class EmailTransport(Transport):
    """Through Django's configured mail backend (console by default, SMTP in production)."""

    def send(self, notification) -> int | None:
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.channel.target],
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            # 5yz SMTP replies are permanent, 4yz temporary (RFC 5321).
            raise TransportError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500) from None
        except (smtplib.SMTPException, socket.error, OSError) as exc:
            raise TransportError(f"{exc.__class__.__name__}: {exc}") from None
        return None
