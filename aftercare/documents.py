"""The reform's documents on request in the chat: the service guide, the application form
(pre-filled from the answers when there are some) and the flowchart image.

Each is written to the content-addressed file store and handed to the channel as a
`Document` of a Reply; the same content is stored once. What the chat says with it, and when
it is asked for, is the conversation's (dialogs/engine/document_requests.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from aftercare.region import region_texts
from app.clock import LOCAL_TZ
from cases.off_loop import off_the_loop
from dialogs.engine.one_form import one_form
from documents import flowchart, service_guide
from documents.application_form import FormInput, render_application_form
from locales import Translator
from locales.replies import Document
from policy.items import load_items
from policy.materials import ANSWER_FIELDS, Answers, checklist

if TYPE_CHECKING:
    from cases.files import FileStore

DocumentKind = Literal["guide", "form", "flowchart"]


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def guide_pdf(
    language: str = "zh_CN", region: str = "ejin_horo", dated: date | None = None
) -> bytes:

    tr = Translator(language)
    sections = service_guide.guide(tr, region_texts(tr, region).contacts)
    return service_guide.render_pdf(sections, tr, dated or _today())


FORM_LANGUAGE = "zh_CN"  # the form goes to Chinese offices: always in Chinese


def form_pdf(
    answers: Mapping[str, Any] | None = None,
    language: str = FORM_LANGUAGE,
    case_number: str = "",
    dated: date | None = None,
    own: Mapping[str, str] | None = None,
) -> bytes:
    """The application form, pre-filled from the conversation's answers, always in Chinese
    whatever the chat's `language`. `own` are the worker's own ID number and phone in full
    (for their private chat only); without them the form shows the masked ones."""

    del language  # the chat's language: the form itself is an office document
    tr = Translator(FORM_LANGUAGE)
    a = dict(answers or {})
    form = {**_form_fields(a), **{k: v for k, v in (own or {}).items() if v}}
    policy_answers = Answers(**{k: form[k] for k in ANSWER_FIELDS if form.get(k) is not None})
    items = [tr(i.name_key) for i in load_items() if i.applies_to(policy_answers)]
    materials = [tr(r.name_key) for r in checklist(policy_answers) if not r.lost]
    data = FormInput(form, items, materials, dated or _today(), case_number)
    return render_application_form(data, tr)


def blank_form(language: str = "zh_CN", dated: date | None = None) -> bytes:
    return form_pdf({}, language, dated=dated)


def _form_fields(a: Mapping[str, Any]) -> dict[str, Any]:
    """The one form in its declared fields: the conversation's answers before submission,
    the case's form after it (passed through)."""

    return one_form(a)


def stored_document(
    kind: DocumentKind,
    files: FileStore,
    *,
    language: str = "zh_CN",
    answers: Mapping[str, Any] | None = None,
    region: str = "ejin_horo",
    case_number: str = "",
    own: Mapping[str, str] | None = None,
) -> Document:
    """One of the reform's documents, made and kept in the file store (the same content is
    stored once), ready for a reply to send. `own`: see `form_pdf`."""
    if kind == "flowchart":
        graph = flowchart.process_graph(Translator("zh_CN"))  # the plan's process, from the items
        path = flowchart.image_path(graph)
        data = path.read_bytes() if path.exists() else flowchart.render_png(graph)
        return Document(files.put(data).address, "流程图.png", "image/png")
    # Drawn off the event loop: a form takes a worker's CPU for a third of a second.
    if kind == "guide":
        guide = off_the_loop(guide_pdf, language, region)
        return Document(files.put(guide).address, "服务指南.pdf")
    form = off_the_loop(form_pdf, answers, language, case_number, own=own)
    return Document(files.put(form).address, "申请表.pdf")
