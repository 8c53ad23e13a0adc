"""Errors that name the file and the reason in one line."""


class ParseError(Exception):
    """A document that cannot be read as a report: garbage, empty, truncated, too large."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self):
        # Crosses process boundaries (the reader processes) as itself.
        return (type(self), (self.source, self.reason))
