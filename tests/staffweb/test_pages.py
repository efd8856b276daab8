"""Every page of every material is a picture on the case page: a PDF's pages are rendered one
by one, photos are shown as sent, pages are numbered within their material, and a page the
viewer's item may not see is refused like the photo itself."""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image

from staffweb.renderer import MAX_SIDE, render_page, sniff
from tests.bot import images
from tests.staffweb.conftest import Desk


def portrait_and_landscape_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    pdf.add_page(orientation="P")
    pdf.cell(text="Page 1: portrait")
    pdf.add_page(orientation="L")
    pdf.cell(text="Page 2: landscape")
    return bytes(pdf.output())


def picture(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_the_kind_of_a_file_comes_from_its_bytes() -> None:
    assert sniff(images.real_pdf(3)).pages == 3
    assert sniff(images.fake_pdf()).pdf and sniff(images.fake_pdf()).pages == 0
    assert sniff(images.sharp_jpeg()).mime == "image/jpeg"
    assert sniff(images.tiny_png()).mime == "image/png"
    assert sniff(b"plain words").mime is None and not sniff(b"plain words").pdf


def test_a_pdf_page_renders_upright_within_the_size_limit() -> None:
    data = portrait_and_landscape_pdf()
    first = picture(render_page(data, 1))
    second = picture(render_page(data, 2))
    assert first.format == "JPEG" and first.height > first.width
    assert second.width > second.height
    assert max(first.size) <= MAX_SIDE and max(first.size) > MAX_SIDE * 0.9


async def test_the_clerk_sees_each_pdf_page_as_a_picture(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case(
        contents={
            ("application_form", 0): portrait_and_landscape_pdf(),
            ("id_card", 0): images.sharp_jpeg(1, 640, 400),
        }
    )
    clerk = await desk.client("wufang")
    try:
        page = await (await clerk.get(f"/cases/{number}")).text()
        base = f"/cases/{number}/materials/application_form/1"
        assert f'src="{base}/1"' in page and f'src="{base}/2"' in page
        assert "第 2 页" in page and "向右转" in page and "放大" in page
        assert 'src="/static/viewer.js"' in page
        rendered = await clerk.get(f"{base}/2")
        assert rendered.status == 200 and rendered.headers["Content-Type"] == "image/jpeg"
        assert rendered.headers["Cache-Control"] == "no-store"
        landscape = picture(await rendered.read())
        assert landscape.width > landscape.height
        assert (await clerk.get(f"{base}/3")).status == 404
        original = await clerk.get(base)
        assert original.headers["Content-Type"] == "application/pdf"
        assert "attachment" in original.headers["Content-Disposition"]
        photo = await clerk.get(f"/cases/{number}/materials/id_card/1")
        assert photo.headers["Content-Type"] == "image/jpeg"
        assert picture(await photo.read()).size == (640, 400)
        script = await clerk.get("/static/viewer.js")
        assert script.status == 200 and "rotate" in await script.text()
    finally:
        await clerk.close()


async def test_a_broken_pdf_is_offered_as_a_download_not_a_blank_picture(desk: Desk) -> None:
    await desk.account("wufang", "clerk")
    number = await desk.case(contents={("application_form", 0): images.fake_pdf()})
    clerk = await desk.client("wufang")
    try:
        page = await (await clerk.get(f"/cases/{number}")).text()
        assert "无法显示为图片" in page
        assert f'href="/cases/{number}/materials/application_form/1"' in page
        assert f'src="/cases/{number}/materials/application_form/1' not in page
        assert (await clerk.get(f"/cases/{number}/materials/application_form/1/1")).status == 404
    finally:
        await clerk.close()


async def test_an_office_gets_403_for_a_pdf_page_its_item_may_not_see(desk: Desk) -> None:
    await desk.account("town", "town_altan_xire")
    number = await desk.case(contents={("application_form", 0): images.real_pdf(2)})
    await desk.db.run(desk.platform.accept, number, "account:wufang")
    town = await desk.client("town")
    try:
        assert (await town.get(f"/cases/{number}/materials/application_form/1/1")).status == 403
        assert (await town.get(f"/cases/{number}/materials/id_card/1")).status == 200
    finally:
        await town.close()


async def test_a_page_that_does_not_render_in_time_says_so_and_the_next_one_shows(
    desk: Desk,
) -> None:
    from staffweb.renderer import PageRenderer
    from tests.staffweb.stuck_renderer import stuck_on_page_two

    desk.console.renderer.close()
    # Page 2 never finishes (a crafted PDF); the limit is generous for page 1's real render.
    desk.console.renderer = PageRenderer(desk.files, render=stuck_on_page_two, render_seconds=8.0)
    await desk.account("wufang", "clerk")
    number = await desk.case(contents={("application_form", 0): portrait_and_landscape_pdf()})
    clerk = await desk.client("wufang")
    try:
        stuck = await clerk.get(f"/cases/{number}/materials/application_form/1/2")
        assert stuck.status == 200 and stuck.content_type == "image/svg+xml"
        said = await stuck.text()
        assert "这一页无法显示" in said and "下载 PDF 原件" in said
        assert stuck.headers["Cache-Control"] == "no-store"
        # The stuck worker was killed and replaced: the next page renders.
        shown = await clerk.get(f"/cases/{number}/materials/application_form/1/1")
        assert shown.status == 200 and shown.content_type == "image/jpeg"
        assert picture(await shown.read()).height > 0
    finally:
        await clerk.close()
