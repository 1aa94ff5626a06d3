"""Form helpers for pages: binding POST data, and putting a service's refusal beside the fields."""

from django.core.exceptions import ValidationError

from partnerships.errors import ConflictError


def apply_service_error(form, exc: ValidationError | ConflictError, fields: dict[str, str] | None = None) -> None:
    """Map ``ValidationError({field: message})`` onto the form; the rest goes on top.

    ``fields`` names the form's field for a service field called otherwise (``{"file": "attachment"}``).
    A message for no field, a hidden one or one the form lacks goes on top as it is: the
    service's field codes ("non_field_errors", "matchers") mean nothing to the person reading.
    """
    if isinstance(exc, ConflictError):
        form.add_error(None, exc.message)
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        field = (fields or {}).get(field, field)
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        for message in messages:
            form.add_error(field if shown else None, message)


def posted(request, files: bool = False):
    """Form data of a POST (even an empty one, so that it is validated), else None (an unbound form)."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST
