"""Form helpers for pages: binding POST data, and putting a service's refusal beside the fields."""

from django.core.exceptions import ValidationError

from partnerships.errors import ConflictError


def apply_service_error(form, exc: ValidationError | ConflictError) -> None:
    """Map ``ValidationError({field: message})`` onto the form; the rest goes on top."""
    if isinstance(exc, ConflictError):
        form.add_error(None, exc.message)
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        for message in messages:
            if shown:
                form.add_error(field, message)
            elif field in form.fields or field == "__all__":
                # A hidden field has nowhere to show its error: it goes on top of the form.
                form.add_error(None, message)
            else:
                form.add_error(None, f"{field}: {message}")


def posted(request, files: bool = False):
    """Form data of a POST (even an empty one, so that it is validated), else None (an unbound form)."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST
