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
        target = field if field in form.fields else None
        for message in messages:
            # add_error removes a field from cleaned_data; that is fine, the form is re-shown.
            form.add_error(target, message if target or field == "__all__" else f"{field}: {message}")
