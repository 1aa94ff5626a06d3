"""Putting a service's refusal beside the form fields it is about."""

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
