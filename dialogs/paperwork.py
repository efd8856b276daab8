"""The documents the conversation sends, made by someone else.

The conversation never draws a PDF. Where it sends a document (the result notice, the signed
copy, the reform's service guide, application form and flowchart) the engine's reply names
it (`wanted("guide")`), and the conversation service has it made by the `DocumentSource` it
was handed (aftercare/paperwork.py, passed in by runtime/services.py), then puts the made
document in the reply's place. A reply that is nothing without its document is dropped when
the document cannot be had (a notice not delivered yet); a reply that says more keeps its words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

from cases.result_commands import SignedCopies
from locales.replies import Document, Reply

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DocumentKind = Literal["notice", "signed_copy", "guide", "form", "flowchart"]
# The reform's documents, sent on request in any state.
ON_REQUEST: tuple[DocumentKind, ...] = ("guide", "form", "flowchart")


@dataclass(frozen=True)
class Wanted(Document):
    """A document named by its kind, to be made by the service's `DocumentSource`."""

    kind: DocumentKind = "notice"  # a default only because Document's last field has one
    alone: bool = True  # the reply is nothing without it


def wanted(kind: DocumentKind, *, alone: bool = True) -> Wanted:
    return Wanted("", "", kind=kind, alone=alone)


@dataclass(frozen=True)
class DocumentRequest:
    """What a document is made from: the applicant's latest case (read by the source), the
    conversation's answers before there is one, and the applicant's language."""

    kind: DocumentKind
    applicant_id: int
    language: str
    answers: Mapping[str, Any]


class DocumentSource(Protocol):
    def document(self, session: Session, request: DocumentRequest) -> Document | None:
        """The document, stored and ready to send; None when there is none (yet)."""
        ...


def make_documents(
    replies: Sequence[Reply],
    source: DocumentSource | None,
    session: Session,
    request: DocumentRequest,
) -> list[Reply]:
    """The replies with every wanted document made (`request` says for whom; its kind is
    each reply's own). Without a source no document can be had."""
    out: list[Reply] = []
    for reply in replies:
        want = reply.document
        if not isinstance(want, Wanted):
            out.append(reply)
            continue
        made = source.document(session, replace(request, kind=want.kind)) if source else None
        if made is None and want.alone:
            continue
        out.append(replace(reply, document=made))
    return out


class Paperwork(DocumentSource, SignedCopies, Protocol):
    """Both documents the conversation needs made: those it sends, and the signed copy."""
