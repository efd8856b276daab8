"""What a staff operation refuses with, shared by every desk and by the quick commands."""

from __future__ import annotations

CLERK = "clerk"  # the viewer of a whole case (an office views as its code)


class StaffError(Exception):
    """A staff command that cannot be done; `message` is plain Chinese for the screen."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
