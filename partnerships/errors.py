class ConflictError(Exception):
    """A well-formed request the object's current state does not allow (answered 409)."""

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code
