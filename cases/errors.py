"""Errors of the case store that callers are expected to handle."""

from __future__ import annotations


class CaseStoreError(Exception):
    """Base of the case store's own errors."""


class StaleConversation(CaseStoreError):
    """Someone else saved this conversation since it was loaded (optimistic lock).
    The caller reloads and handles the event again, or answers the applicant politely."""


class StoreUnavailable(CaseStoreError):
    """The database cannot be used right now: a SQLite file locked by another connection for
    longer than the busy timeout or unreadable, a PostgreSQL server down, restarting or that
    dropped the connection. Nothing of the unit of work was written; the same call can succeed
    once the database is back. Channels answer "busy, please try again shortly"."""


class IllegalTransition(CaseStoreError):
    """A lifecycle move that the case's current state does not allow."""

    def __init__(self, state: str, trigger: str, allowed: list[str]) -> None:
        self.state, self.trigger, self.allowed = state, trigger, allowed
        moves = ", ".join(allowed) or "-"
        super().__init__(f"case in state {state!r} cannot {trigger!r}; allowed here: {moves}")


class FileTooLarge(CaseStoreError):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"file is larger than the limit of {limit} bytes")


class MissingKey(CaseStoreError):
    """No data key is configured where one cannot safely be created."""


class FileUnreadable(CaseStoreError):
    """A stored file cannot be decrypted: never handed out as if it were the document."""


class WrongFileKey(FileUnreadable):
    """The file was encrypted with another data key (its header names that key's id)."""

    def __init__(self, found: str, expected: str) -> None:
        self.found, self.expected = found, expected
        super().__init__(
            f"stored file encrypted with key id {found}, but the data key has id {expected}: "
            "start with the key the files were written with (SECURITY__DATA_KEY)"
        )


class TamperedFile(FileUnreadable):
    """The file was changed, cut short or replaced on disk after it was stored."""
