"""The demo's applicant (`python main.py demo`): answers whatever the real conversation asks,
as a retiring man with an employer would, photographs drawn on the spot, and shows the
replies on the demo's timeline."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Protocol

from PIL import Image, ImageDraw

from dialogs.events import Choice, Command, Contact, Files, StoredFile, Text
from documents.fonts import pil_font
from locales import Translator
from locales.replies import render

if TYPE_CHECKING:
    from cases.files import FileStore
    from dialogs.service import ConversationService, Outcome

NAME = "王建国"


class Timeline(Protocol):
    def add(self, actor: str, text: str) -> None: ...


class DemoApplicant:
    """Answers whatever the conversation asks, as a retiring man with an employer would."""

    def __init__(self, service: ConversationService, files: FileStore, user: str, id_no: str):
        self.service, self.files, self.user, self.id_no = service, files, user, id_no
        self.last: Outcome | None = None

    async def send(self, event: Any) -> Outcome:
        self.last = await self.service.handle("demo", self.user, event)
        return self.last

    async def say(self, timeline: Timeline, text: str) -> Outcome:

        timeline.add("申请人", f"输入：{text}")
        return await self._show(timeline, await self.send(Text(text)))

    async def tap(self, timeline: Timeline, choice: str, question: str | None = None) -> Outcome:

        timeline.add("申请人", f"点选：{choice}")
        asked = question or (self.last.question if self.last else None)
        return await self._show(timeline, await self.send(Choice(choice, asked)))

    async def _show(self, timeline: Timeline, out: Outcome) -> Outcome:

        tr = Translator(out.language)
        for reply in out.replies:
            text = render(reply.message, tr)
            if reply.document is not None:
                text += f"  [附件 {reply.document.filename}]"
            timeline.add("机器人", text)
        return out

    async def apply(self, timeline: Timeline) -> str:

        answers: dict[str, Any] = {
            "ask_language": Choice("zh_CN", "ask_language"),
            "ask_consent": Choice("agree", "ask_consent"),
            "ask_name": Text(NAME),
            "ask_id_number": Text(self.id_no),
            "ask_phone": Contact("13912345678"),
            "ask_retirement_type": Choice("normal", "ask_retirement_type"),
            "ask_contribution": Text("32年"),
            "ask_town": Choice("altan_xire", "ask_town"),
            "ask_has_employer": Choice("yes", "ask_has_employer"),
            "ask_employer_name": Text("伊金霍洛旗某煤矿有限公司"),
            "ask_name_matches_archive": Choice("yes", "ask_name_matches_archive"),
            "ask_paid_before_1995_07": Choice("yes", "ask_paid_before_1995_07"),
            "ask_handbook": Choice("lost", "ask_handbook"),
            "ask_lump_sum_before_1996": Choice("no", "ask_lump_sum_before_1996"),
            "ask_veteran": Choice("yes", "ask_veteran"),
            "ask_review": Choice("submit", "ask_review"),
        }
        timeline.add("申请人", "打开服务，开始申请")
        out = await self.send(Command("start"))
        pages: dict[str, int] = {}
        for _ in range(60):
            if out.state == "submitted" and out.case_number:
                timeline.add("机器人", f"已提交，办件编号 {out.case_number}")
                return out.case_number
            q = out.question or ""
            if q.startswith("ask_upload_"):
                code = q.removeprefix("ask_upload_")
                pages[code] = pages.get(code, 0) + 1
                need = 2 if code == "id_card" else 1
                if pages[code] > need:
                    out = await self.send(Choice("done", q))
                    continue
                timeline.add("申请人", f"拍照上传：{code} 第{pages[code]}页")
                out = await self.send(Files((self._photo(code, pages[code]),)))
                continue
            event = answers.get(q)
            if event is None:
                raise RuntimeError(f"the demo applicant has no answer for {q!r}")
            out = await self.send(event)
        raise RuntimeError("the demo conversation did not reach submission")

    def _photo(self, code: str, page: int) -> Any:
        """A real picture in the file store, like a channel would have stored."""

        image = Image.new("RGB", (1600, 1200), (250, 250, 245))
        draw = ImageDraw.Draw(image)
        draw.text((80, 80), f"演示材料 {code} 第{page}页", font=pil_font(64), fill=(20, 20, 20))
        for y in range(240, 1100, 60):  # lines of "text", so the page is not blank
            draw.line([(80, y), (1500, y)], fill=(120, 120, 120), width=3)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
        blob = self.files.put(buffer.getvalue())
        return StoredFile(blob.sha256, "image/jpeg", blob.size, 1600, 1200)
