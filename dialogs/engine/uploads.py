"""Uploads, material by material: pages (photos or PDF, several each, checked by the channel),
"done", "lost" where the office can look the document up, "later" to pause."""

from __future__ import annotations

from typing import Any

from dialogs import answers as read
from dialogs.engine.asking import ask, choices, fail
from dialogs.engine.commands import faq
from dialogs.engine.facts import requirement
from dialogs.engine.flow import forward
from dialogs.engine.keys import problem_key
from dialogs.engine.turn import Turn
from dialogs.events import Choice, Contact, Event, Files, StoredFile, Text
from dialogs.machine import State
from dialogs.state import AddPages, ClearMaterial, MarkMaterialLost
from locales.replies import Msg

# Materials that "lost" may replace -> the answer saying whether the applicant still has it.
_LOST_ANSWER = {"pension_handbook": "handbook", "tax_receipts": "receipts"}


def upload(t: Turn, event: Event, code: str) -> None:
    """An answer at ask_upload_<code>: pages, or one of the choices typed or tapped."""
    req = requirement(t.d, code)
    min_pages = req.min_pages if req else 1
    max_pages = req.max_pages if req else 10
    m = t.d.materials.setdefault(code, {"pages": 0, "status": "pending"})
    # Some pages returned, the others kept: at least one new page answers the return.
    min_pages = max(min_pages, m.get("at_least", 0))
    choice: str | None = None
    if isinstance(event, Choice):
        choice = event.id
    elif isinstance(event, Text):
        ids, _ = choices(t, f"ask_upload_{code}")
        choice = read.interpret_choice(event.text, list(ids))
        if choice is None:
            if faq(t, event.text.strip()):
                return None
            return fail(t, "dialogs.hint.file_expected")
    elif isinstance(event, Contact):
        return fail(t, "dialogs.hint.file_expected")
    if isinstance(event, Files):
        return pages(t, event, code, m, max_pages)
    ids, _ = choices(t, f"ask_upload_{code}")
    if choice not in ids:
        return fail(t, "dialogs.hint.choose")
    if choice == "later":
        t.say("dialogs.paused")
        return None
    if choice == "lost":
        if code in _LOST_ANSWER and t.state is State.uploading:
            # The answer that put the document on the checklist changes with it; else the
            # checklist (still "have") would put the material back as pending at once.
            t.d.answers[_LOST_ANSWER[code]] = "lost"
        t.d.materials[code] = {"pages": 0, "status": "lost"}
        if m["pages"]:
            t.do(ClearMaterial(code))
        t.do(MarkMaterialLost(code))
        t.say("dialogs.marked_lost", name=Msg(f"material.{code}.name"))
        return material_done(t, code)
    if m["pages"] == 0 and min_pages > 0:  # "我拍好了", and no photo came: how to send one
        return fail(t, "dialogs.hint.no_photo_yet")
    if m["pages"] < min_pages:  # done, too early
        return fail(t, "dialogs.hint.need_pages", missing=min_pages - m["pages"])
    m["status"] = "ok"
    material_done(t, code)


def pages(t: Turn, event: Files, code: str, m: dict[str, Any], max_pages: int) -> None:
    seen: list[str] = m.setdefault("hashes", [])
    good: list[StoredFile] = []
    taken = 0  # pages in `good`: a PDF counts its true number of pages
    too_many = duplicate = False
    for f in event.files:
        if f.problem:
            t.say(f"dialogs.retake.{problem_key(f.problem)}")
        elif f.sha256 in m.get("rejected", ()):
            t.say("dialogs.hint.rejected_page_again")
        elif f.sha256 in seen or any(g.sha256 == f.sha256 for g in good):
            duplicate = True  # the same photo twice is one page (front twice, no back)
        elif m["pages"] + taken < max_pages:
            good.append(f)
            taken += pages_in(f)
        else:
            too_many = True
    if duplicate:
        t.say("dialogs.hint.duplicate_page")
    if too_many:
        t.say("dialogs.hint.too_many_pages", max=max_pages)
    if good:
        m["pages"] += taken
        seen.extend(g.sha256 for g in good)
        t.do(AddPages(code, tuple(good)))
        t.d.failures = 0
    elif not event.files:
        return fail(t, "dialogs.hint.file_expected")
    if m["pages"] >= max_pages:  # nothing more this material can take: move on
        m["status"] = "ok"
        t.d.moved_on = code
        t.say_above_next(
            "dialogs.pages_received", count=m["pages"], name=Msg(f"material.{code}.name")
        )
        return material_done(t, code)
    # One message per photo: the question asked again says the pages received so far and
    # what is next ("已收到1页。拍完点“完成”"), so no separate receipt before it.
    ask(t)


def late_done(t: Turn, event: Event, code: str) -> bool:
    """ "完成" (typed or the old button) right after the upload of `code` moved on by itself:
    it meant that upload. Said so, and the question now open asked again, never answered."""
    if isinstance(event, Choice):
        done = event.id == "done" and event.question in (None, f"ask_upload_{code}")
    elif isinstance(event, Text):
        done = read.interpret_choice(event.text, ["done"]) == "done"
    else:
        return False
    if not done:
        return False
    pages = t.d.materials.get(code, {}).get("pages", 0)
    ask(
        t,
        lead=Msg("understanding.moved_on", {"name": Msg(f"material.{code}.name"), "pages": pages}),
    )
    return True


def pages_in(f: StoredFile) -> int:
    """The pages a file brings: a photo one, a PDF as many as it really has."""
    return max(1, f.page_count or 1)


def material_done(t: Turn, code: str) -> None:
    t.d.failures = 0
    key = f"ask_upload_{code}"
    if key not in t.d.history and t.state is State.uploading:
        t.d.history.append(key)
    forward(t)
