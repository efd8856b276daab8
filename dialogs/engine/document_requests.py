"""The reform's documents on request, in any state: the service guide, the application form
(pre-filled from the answers, or the case's form once there is one) and the flowchart; and
after the result, the notice and its signed copy.

A reply here names its document (dialogs/paperwork.py); the service has it made.
"""

from __future__ import annotations

from functools import cache

from dialogs.choice_words import clean, mentioned
from dialogs.engine.result_questions import ask
from dialogs.engine.turn import Turn
from dialogs.events import Choice, Event, Text
from dialogs.machine import State
from dialogs.paperwork import ON_REQUEST, DocumentKind, wanted
from locales import LANGUAGES, catalog
from locales.replies import Msg, Reply
from policy.items import load_items

S = State
# Questions whose typed answer is free text: never read as a request for a document.
_FREE_TEXT = frozenset({S.ask_name, S.ask_id_number, S.ask_phone, S.ask_signature_name})
# States where nothing is being asked: a short message naming a document gets it.
_IDLE = frozenset({S.start, S.submitted, S.waiting_for_date, S.handed_to_person, S.declined})
MAX_REQUEST_LENGTH = 16  # longer messages say more than "send me the guide"
_CHOICES = tuple(f"doc_{kind}" for kind in ON_REQUEST)


def requested_document(text: str) -> DocumentKind | None:
    """The document a short message asks for ("发我服务指南", "申请表"), or None."""
    t = text.strip()
    if not t or len(t) > MAX_REQUEST_LENGTH:
        return None
    choice = mentioned(t, None, _CHOICES)
    return _kind(choice) if choice is not None else None


def _kind(choice: str) -> DocumentKind | None:
    kind = choice.removeprefix("doc_")
    return next((k for k in ON_REQUEST if k == kind), None)


@cache
def _names() -> frozenset[str]:
    """The documents' names (their buttons' labels, in every language), cleaned."""
    labels = (
        catalog(lang).get(f"aftercare.docs.choice_{k}", "")
        for lang in LANGUAGES
        for k in ON_REQUEST
    )
    return frozenset(clean(label) for label in labels) - {""}


def _named(text: str) -> bool:
    """A message that is nothing but a document's name."""
    return clean(text) in _names()


def document_asked(state: State, event: Event) -> DocumentKind | None:
    """Before the result: the document this event asks for, or None. In the middle of a
    question only a message that is nothing but the document's name asks for one."""
    if isinstance(event, Choice) and event.id.startswith("doc_"):
        return _kind(event.id)
    if not isinstance(event, Text) or state in _FREE_TEXT:
        return None
    asked = requested_document(event.text)
    if asked is not None and (state in _IDLE or _named(event.text)):
        return asked
    return None


def on_request(kind: DocumentKind) -> Reply:
    """The reply that sends one of the reform's documents."""
    if kind == "guide":
        summary = Msg("documents.guide.chat_summary", {"count": len(load_items())})
        return Reply(Msg("aftercare.docs.guide", {"summary": summary}), document=wanted(kind))
    return Reply(Msg(f"aftercare.docs.{kind}"), document=wanted(kind))


def send_document(t: Turn, choice: str) -> None:
    """After the result: the document chosen ("notice", "signed_copy", "doc_<kind>"). The
    signed copy is the notice until there is a signature of its current version."""
    view = t.ctx.result
    if choice in ("notice", "signed_copy") and view is not None:
        kind: DocumentKind = "signed_copy" if choice == "signed_copy" and view.signed else "notice"
        if kind == "signed_copy" or view.notice_sha256 is not None:
            t.replies.append(Reply(Msg(f"aftercare.docs.{kind}"), document=wanted(kind)))
    if (asked := _kind(choice)) is not None:
        t.replies.append(on_request(asked))
    # The question again under the document (再看一遍告知单: the buttons to sign with are
    # below it, and the ones above are stale).
    if t.state is not S.finished:
        ask(t)
    return None


def is_document_choice(choice: str) -> bool:
    return choice.startswith("doc_") or choice in ("notice", "signed_copy")
