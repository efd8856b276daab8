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
from zoneinfo import ZoneInfo

from locales import Translator
from locales.replies import Document

if TYPE_CHECKING:
    from cases.files import FileStore

CHINA = ZoneInfo("Asia/Shanghai")
DocumentKind = Literal["guide", "form", "flowchart"]


def _today() -> date:
    return datetime.now(CHINA).date()


def guide_pdf(
    language: str = "zh_CN", region: str = "ejin_horo", dated: date | None = None
) -> bytes:
    from aftercare.region import region_texts
    from documents import service_guide

    tr = Translator(language)
    sections = service_guide.guide(tr, region_texts(tr, region).contacts)
    return service_guide.render_pdf(sections, tr, dated or _today())


def form_pdf(
    answers: Mapping[str, Any] | None = None,
    language: str = "zh_CN",
    case_number: str = "",
    dated: date | None = None,
) -> bytes:
    """The application form, pre-filled from the conversation's answers (masked numbers)."""
    from documents.application_form import FormInput, render_application_form
    from policy.items import load_items
    from policy.materials import ANSWER_FIELDS, Answers, checklist

    tr = Translator(language)
    a = dict(answers or {})
    form = _form_fields(a)
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
    from dialogs.engine.one_form import one_form

    return one_form(a)


def stored_document(
    kind: DocumentKind,
    files: FileStore,
    *,
    language: str = "zh_CN",
    answers: Mapping[str, Any] | None = None,
    region: str = "ejin_horo",
    case_number: str = "",
) -> Document:
    """One of the reform's documents, made and kept in the file store (the same content is
    stored once), ready for a reply to send."""
    if kind == "flowchart":
        from documents import flowchart

        graph = flowchart.lifecycle_graph(Translator("zh_CN"))
        path = flowchart.image_path(graph)
        data = path.read_bytes() if path.exists() else flowchart.render_png(graph)
        return Document(files.put(data).address, "流程图.png", "image/png")
    if kind == "guide":
        return Document(files.put(guide_pdf(language, region)).address, "服务指南.pdf")
    return Document(files.put(form_pdf(answers, language, case_number)).address, "申请表.pdf")
