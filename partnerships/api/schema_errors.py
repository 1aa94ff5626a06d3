"""Document the error answers every operation can give, in one place.

drf-spectacular documents only the success answers a view declares. The API also
answers, by design, 400 (field-level messages), 401/403 (sign-in and role), 404 (a
foreign or unknown object, a page past the end), 409 (a state that forbids the change,
see partnerships/api/errors.py), 415 (a body in a format the parsers do not read) and
429 (throttled). A client generated from the schema must know those answers and their
shape, and the schema fuzz test holds the API to them. Answers a view already
documents (with its own body) are left as they are.
"""

WRITE_METHODS = ("post", "put", "patch", "delete")

ERROR = {
    "type": "object",
    "description": "What went wrong, for a person to read; `code` names the rule when one applies.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name -> messages (`non_field_errors` for the request as a whole); "
    "nested objects and lists carry the same shape.",
    "additionalProperties": {},
}


def _content(component: str, media_types) -> dict:
    return {media: {"schema": {"$ref": f"#/components/schemas/{component}"}} for media in media_types}


def _error_media_types(responses: dict) -> list[str]:
    """Errors come in JSON, and in any JSON dialect the operation answers in (application/ld+json):
    DRF renders a refusal with the renderer it negotiated for the request."""
    media = {"application/json"}
    for code, answer in responses.items():
        if str(code).startswith("2"):
            media |= {m for m in answer.get("content", {}) if m.endswith("json")}
    return sorted(media)


def _errors_for(method: str, operation: dict) -> dict:
    params = {p.get("in") for p in operation.get("parameters", [])}
    query_names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    signed_in = any(requirement for requirement in operation.get("security", [{}]))
    writes = method in WRITE_METHODS
    errors = {}
    if writes or "requestBody" in operation or params:
        errors["400"] = ("Bad input: messages field by field; nothing was stored.", "FieldErrors")
    if signed_in:
        errors["401"] = ("Not signed in.", "Error")
        errors["403"] = ("Signed in, but this role may not do this.", "Error")
    if "path" in params or "page" in query_names:
        errors["404"] = ("No such object among those this person may see (or no such page).", "Error")
    if writes:
        errors["409"] = ("The object's current state does not allow this.", "Error")
    if "requestBody" in operation:
        errors["415"] = ("The body is in a format this operation does not read.", "Error")
    errors["429"] = ("Too many requests; retry after the Retry-After header's seconds.", "Error")
    return errors


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add the error answers each operation can give."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            media = _error_media_types(responses)
            for code, (description, component) in _errors_for(method, operation).items():
                responses.setdefault(code, {"description": description, "content": _content(component, media)})
            for code, answer in responses.items():
                # An error a view declares with a description only: give it the error body.
                if str(code)[0] in "45" and not answer.get("content"):
                    answer["content"] = _content("FieldErrors" if str(code) == "400" else "Error", media)
    return result
