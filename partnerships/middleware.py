"""A request id for every request: from X-Request-ID when it is sane, else a new one.

Audit entries carry it, and the response returns it, so a client's report of
a failed call can be matched to what was recorded.
"""

import re
import uuid

from partnerships.audit.context import request_id_var

HEADER = "X-Request-ID"
SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if SANE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response
