"""Logins, changes made in the Django admin, and the request id of Celery tasks.

Django and Celery announce these through signals, so receivers are the one
place for them; every other audit entry is written by a service.
"""

from celery.signals import task_postrun, task_prerun
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from partnerships.audit.chain import OBJECT_TYPES, audit_record
from partnerships.audit.context import request_id_var


def _only_organization(user):
    """The organization a user acts for, when there is exactly one (for auditors' scoping)."""
    orgs = {org_id for org_id in user.memberships.values_list("organization_id", flat=True)}
    return orgs.pop() if len(orgs) == 1 else None


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "path": request.path}


def audit_login_succeeded(*, user, request=None, method: str = "session") -> None:
    """Also called by the API token endpoint, which authenticates without logging in."""
    audit_record(
        actor=user,
        action="login.succeeded",
        obj=user,
        after={"method": method, **_client(request)},
        organization=_only_organization(user),
    )


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def _logged_in(sender, request, user, **kwargs):
    audit_login_succeeded(user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked anything that looks like a password in ``credentials``.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action="login.failed",
        object_type="user",
        object_repr=username,
        after={"username": username, **_client(request)},
    )


ADMIN_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_change")
def _admin_changed(sender, instance: LogEntry, created: bool, **kwargs):
    """The admin writes a LogEntry inside the same transaction as the change it logs.
    (Its bulk "delete selected" action is switched off in partnerships/audit/admin.py,
    so every admin change arrives here one object at a time.)"""
    if not created:
        return
    label = f"{instance.content_type.app_label}.{instance.content_type.model}" if instance.content_type_id else ""
    audit_record(
        actor=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.other"),
        object_type=OBJECT_TYPES.get(label, label),
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        after={"change": instance.get_change_message()},
    )


@task_prerun.connect(dispatch_uid="audit_task_request_id")
def _task_started(task_id=None, **kwargs):
    request_id_var.set(f"task-{task_id}" if task_id else "")


@task_postrun.connect(dispatch_uid="audit_task_request_id_reset")
def _task_finished(**kwargs):
    request_id_var.set("")
