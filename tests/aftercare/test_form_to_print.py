"""At the form's upload step the bot sends the form pre-filled from the answers, to print and
sign, and says who stamps it: the insured employer's seal, only when there is one (issue 13)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.aftercare.conftest import World, text_of
from tests.dialogs.conftest import Person

EMPLOYER = "伊金霍洛旗宏达煤矿有限公司"


async def to_the_form(p: Person, employer: str | None) -> None:
    await p.through_identity(name="张建国")
    await p.tap("normal")
    await p.text("15年")
    await p.tap("altan_xire")
    if employer:
        await p.tap("yes")
        await p.text(employer)
    else:
        await p.tap("no")
    for answer in ("yes", "no", "no", "no"):
        await p.tap(answer)
    assert p.question == "ask_upload_application_form"


def the_form(world: World, p: Person) -> str:
    assert p.last is not None
    (reply,) = [r for r in p.last.replies if r.document is not None]
    assert reply.key == "dialogs.form_to_print.intro"
    assert reply.document is not None and reply.document.filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(world.deps.files.read(reply.document.address)))
    return "".join(page.extract_text() for page in pdf.pages).replace("\x00", "")


async def test_with_an_employer_the_form_comes_with_who_stamps_it(world: World) -> None:
    p = world.person
    await to_the_form(p, EMPLOYER)
    said = text_of(p.last.replies)  # type: ignore[union-attr]
    assert "打印" in said and "本人签字" in said
    assert f"参保单位（{EMPLOYER}）" in said and "公章" in said
    # Short numbered steps, one a line, not one run-on sentence.
    assert "\n1. 打印出来；\n2. 本人签字；\n3. 请参保单位" in said and "\n4. 拍照" in said
    text = the_form(world, p)
    assert "张建国" in text and "宏达煤矿" in text
    # The question follows the form, and the form is not sent again on a page received.
    assert p.last.replies[-1].question == "ask_upload_application_form"  # type: ignore[union-attr]


async def test_without_an_employer_no_stamp_is_asked(world: World) -> None:
    p = world.person
    await to_the_form(p, None)
    said = text_of(p.last.replies)  # type: ignore[union-attr]
    assert "不用盖章" in said and "公章" not in said.replace("不用盖章", "")
    assert "\n2. 本人签字；\n3. 拍照或扫描成PDF，发回这里。" in said and "4." not in said
    assert "张建国" in the_form(world, p)
