"""Uploading CSV files of declarations or of observed usage events, with a per-line report.

The page hands the file to the same code the API uses, so a file means the same
whether a partner's system posts it or a person uploads it here.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from contracts.api.usage_upload import DeclarationUpload
from contracts.forms.uploads import DECLARATIONS, UploadForm
from contracts.services.usage_event_input import BodyTooLarge
from contracts.services.usage_events import CSV, usage_events_ingest
from partnerships.codes import Role
from partnerships.views.forms import posted
from partnerships.views.membership import page_actor

declaration_upload_api = DeclarationUpload.as_view()


def _messages(value) -> list[str]:
    """DRF nests errors of list fields by item index ({0: ["..."]}); flatten them for people."""
    if isinstance(value, dict):
        return [message for key, inner in value.items() for message in _messages(inner)]
    if isinstance(value, (list, tuple)):
        return [message for inner in value for message in _messages(inner)]
    return [str(value)]


def _readable(rejected: list[dict]) -> list[dict]:
    return [
        {"line": row["line"], "errors": {field: _messages(problems) for field, problems in row["errors"].items()}}
        for row in rejected
    ]


def _declarations_report(request) -> dict:
    response = declaration_upload_api(request)
    data = response.data if isinstance(response.data, dict) else {}
    if response.status_code == 201:
        return {"ok": True, "created": data["created"], "declarations": data["declarations"], "rejected": []}
    report = {"ok": False, "created": 0, "rejected": _readable(data.get("rejected", []))}
    if not report["rejected"]:
        # The file as a whole was refused (header, encoding, size): say why.
        report["file_errors"] = [str(m) for m in data.get("file", [])] or [str(data.get("detail", ""))]
    return report


def _events_report(request, actor) -> dict:
    upload = request.FILES["file"]
    try:
        result = usage_events_ingest(
            actor=actor, read=upload.read, body_format=CSV, max_bytes=settings.USAGE_EVENTS_MAX_BODY_BYTES
        )
    except BodyTooLarge:
        return {"ok": False, "file_errors": [_("The file is too large; split it into several files.")], "rejected": []}
    except ValidationError as exc:
        return {"ok": False, "file_errors": [str(m) for m in exc.messages], "rejected": []}
    report = result.as_dict()
    report["rejected"] = _readable(report["rejected"])
    report["ok"] = not report["rejected"]
    report["events"] = True
    return report


@login_required
def upload(request):
    actor = page_actor(request)
    if not (actor.is_admin or actor.org_ids(Role.PARTNER, Role.OFFICER)):
        raise PermissionDenied
    form = UploadForm(*posted(request, files=True), initial={"kind": DECLARATIONS})
    report = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["kind"] == DECLARATIONS:
            report = _declarations_report(request)
        else:
            report = _events_report(request, actor)
        report["kind"] = form.cleaned_data["kind"]
        report["filename"] = form.cleaned_data["file"].name
    status = 200 if report is None or report["ok"] else 400
    return render(request, "contracts/upload.html", {"form": form, "report": report}, status=status)
