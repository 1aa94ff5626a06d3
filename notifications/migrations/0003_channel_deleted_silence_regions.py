"""Channels are kept when deleted (their messages must not lose their channel and land in the
inbox); a silence covers every jurisdiction its author supervises, not just one; and the
webhook answers once stored in delivery errors are dropped, keeping the status code."""

import http
import re

import django.db.models.deletion
from django.db import migrations, models

# "HTTP 500: <the first 200 characters the receiver answered>", as the webhook transport wrote it.
ANSWER_KEPT = re.compile(r"^HTTP ([0-9]{3}): ")


def _status_only(text: str) -> str:
    code = int(ANSWER_KEPT.match(text).group(1))
    try:
        return f"HTTP {code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def drop_stored_answers(apps, schema_editor):
    # A receiver's answer could be an internal service's page read back through a webhook
    # pointed inside the network; the status code is all a delivery record needs.
    for model, field in (("Notification", "last_error"), ("DeliveryAttempt", "error")):
        Model = apps.get_model("notifications", model)
        rows = Model.objects.filter(**{f"{field}__regex": ANSWER_KEPT.pattern}).only("pk", field)
        for row in rows.iterator():
            Model.objects.filter(pk=row.pk).update(**{field: _status_only(getattr(row, field))})


def prefix_to_list(apps, schema_editor):
    Silence = apps.get_model("notifications", "Silence")
    for silence in Silence.objects.exclude(region_prefix="").only("pk", "region_prefix"):
        Silence.objects.filter(pk=silence.pk).update(region_prefixes=[silence.region_prefix])


def list_to_prefix(apps, schema_editor):
    # Going back keeps one prefix per silence, the narrowing the old column could hold.
    Silence = apps.get_model("notifications", "Silence")
    for silence in Silence.objects.only("pk", "region_prefixes"):
        if silence.region_prefixes:
            Silence.objects.filter(pk=silence.pk).update(region_prefix=silence.region_prefixes[0])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_grant_request_overdue_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="notification",
            name="channel",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="notifications",
                to="notifications.channel",
            ),
        ),
        migrations.AddField(
            model_name="silence",
            name="region_prefixes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(prefix_to_list, list_to_prefix),
        migrations.RemoveField(
            model_name="silence",
            name="region_prefix",
        ),
        migrations.RunPython(drop_stored_answers, migrations.RunPython.noop),
    ]
