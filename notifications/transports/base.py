class TransportError(Exception):
    """A failed send. ``permanent``: retrying cannot help (a 4xx answer, a malformed address)."""

    def __init__(self, message: str, *, permanent: bool = False, response_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.response_code = response_code


class Transport:
    def __init__(self, channel):
        self.channel = channel

    def send(self, notification) -> int | None:
        """Send; return the response code when there is one. Raise TransportError on failure."""
        raise NotImplementedError
