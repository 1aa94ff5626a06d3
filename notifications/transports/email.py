import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from notifications.codes import alert_subject
from notifications.templatetags.alert_labels import alert_summary
from notifications.transports.base import Transport, TransportError


# A channel has no language of its own: alert e-mails carry the text in Chinese, then in English.
EMAIL_LANGUAGES = ("zh-hans", "en")


def email_subject(notification) -> str:
    """The alert's subject in each language, one after the other; other notices keep theirs."""
    if notification.alert_id is None:
        return notification.subject
    alert = notification.alert
    parts = []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            severity, summary = alert.get_severity_display(), alert_summary(alert)
            parts.append(alert_subject(notification.reason, severity=severity, summary=summary))
    return " ".join(" / ".join(parts).split())  # one line: a header may not hold a line break


def email_body(notification) -> str:
    """The alert in words, in each language; notices without an alert keep their own text."""
    if notification.alert_id is None:
        return notification.body
    parts = []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            parts.append(render_to_string("notifications/email/alert.txt", {"alert": notification.alert}).strip())
    return "\n\n----------\n\n".join(parts) + "\n"


class EmailTransport(Transport):
    """Through Django's configured mail backend (console by default, SMTP in production)."""

    def send(self, notification) -> int | None:
        message = EmailMessage(
            subject=email_subject(notification),
            body=email_body(notification),
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
