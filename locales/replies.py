"""Reply intents: what the conversation answers. Channels render them in the applicant's
language; the conversation never formats text for a screen itself."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, Literal

from locales import Translator

Expects = Literal["text", "choice", "file", "contact", "none"]
PDF = "application/pdf"


@dataclass(frozen=True)
class Msg:
    """A message key with parameters; may itself be a parameter of another message.

    `lead` is a line said on top of it in the same message: what was wrong with an answer,
    or what a typed answer was recorded as, above the question that comes next (one message
    on the phone, not two)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    lead: Msg | None = None

    def led_by(self, lead: Msg | None) -> Msg:
        """This message with `lead` on top (above any lead it has already)."""
        if lead is None:
            return self
        return replace(self, lead=lead if self.lead is None else self.lead.led_by(lead))


@dataclass(frozen=True)
class Option:
    id: str
    label: Msg


@dataclass(frozen=True)
class Document:
    """A file a reply sends: its address in the encrypted file store (`cases.files`), read
    and decrypted only by the channel that sends it (never a path to a plain file)."""

    address: str
    filename: str
    mime_type: str = "application/pdf"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        """Also reads the form of the outbox rows written before encryption, which named
        the stored file by its path (`data/files/ab/cd/<hash>`): the name is the address."""
        address = data.get("address") or PurePath(str(data.get("path", ""))).name
        return cls(str(address), str(data["filename"]), str(data.get("mime_type") or PDF))


@dataclass(frozen=True)
class Reply:
    message: Msg
    choices: tuple[Option, ...] = ()
    expects: Expects = "none"
    question: str | None = None  # the question key this reply asks (versions the buttons)
    document: Document | None = None
    shown: int | None = None  # the conversation's number of this message of buttons

    @property
    def key(self) -> str:
        return self.message.key


def render(msg: Msg, tr: Translator) -> str:
    """Text of a message; Msg parameters are rendered first, lists joined one per line."""
    params: dict[str, Any] = {}
    for name, value in msg.params.items():
        if isinstance(value, Msg):
            params[name] = render(value, tr)
        elif isinstance(value, list | tuple):
            params[name] = "\n".join(
                render(v, tr) if isinstance(v, Msg) else str(v) for v in value
            )
        else:
            params[name] = value
    text = tr(msg.key, **params)
    return text if msg.lead is None else f"{render(msg.lead, tr)}\n{text}"


def to_json(reply: Reply) -> dict[str, Any]:
    """Serialisable form, for the outbox and the JSON channel."""

    def value(v: Any) -> Any:
        if isinstance(v, Msg):
            return msg(v)
        if isinstance(v, list | tuple):
            return [value(x) for x in v]
        return v

    def msg(m: Msg) -> dict[str, Any]:
        out = {"key": m.key, "params": {k: value(v) for k, v in m.params.items()}}
        return out if m.lead is None else {**out, "lead": msg(m.lead)}

    return {
        "message": msg(reply.message),
        "choices": [{"id": o.id, "label": msg(o.label)} for o in reply.choices],
        "expects": reply.expects,
        "question": reply.question,
        "document": vars(reply.document) if reply.document else None,
        "shown": reply.shown,
    }


def from_json(data: dict[str, Any]) -> Reply:
    def value(v: Any) -> Any:
        if isinstance(v, dict) and set(v) in ({"key", "params"}, {"key", "params", "lead"}):
            return msg(v)
        if isinstance(v, list):
            return [value(x) for x in v]
        return v

    def msg(d: dict[str, Any]) -> Msg:
        lead = msg(d["lead"]) if d.get("lead") else None
        return Msg(d["key"], {k: value(v) for k, v in d.get("params", {}).items()}, lead)

    doc = data.get("document")
    return Reply(
        message=msg(data["message"]),
        choices=tuple(Option(c["id"], msg(c["label"])) for c in data.get("choices", [])),
        expects=data.get("expects", "none"),
        question=data.get("question"),
        document=Document.from_json(doc) if doc else None,
        shown=data.get("shown"),
    )
