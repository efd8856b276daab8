"""Synthetic phone photos of ID cards, drawn with Pillow in the project's CJK font.

A card is laid out like the second-generation resident identity card's front (labels in blue,
values in black, the number along the bottom, a portrait on the right, a faint guilloche) and
then photographed: placed on a table at an angle, with optional blur, glare and JPEG loss.
Every number is valid (its check character computed), so what a test proves is the reading,
not the arithmetic. Also: the back of a card and a photo of something else.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, replace
from datetime import date

from PIL import Image, ImageDraw, ImageFilter

from documents.fonts import pil_font
from policy.idcard import check_character

CARD = (856, 540)  # 85.6 x 54 mm at 10 px/mm
BLUE, INK, PAPER = (46, 96, 170), (25, 25, 30), (232, 238, 242)
TABLES = ((118, 96, 78), (60, 62, 70), (196, 190, 178), (150, 120, 90))


@dataclass(frozen=True)
class Card:
    name: str
    sex: str  # 男 / 女
    birth: date
    region: str = "150627"  # 伊金霍洛旗
    sequence: str = "123"  # the third digit's parity must match the sex
    nation: str = "汉"
    address: str = "内蒙古自治区伊金霍洛旗阿勒腾席热镇团结路12号"

    @property
    def number(self) -> str:
        first17 = f"{self.region}{self.birth:%Y%m%d}{self.sequence}"
        return first17 + check_character(first17)


@dataclass(frozen=True)
class Shot:
    """How the card was photographed."""

    angle: float = 0.0  # degrees, counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels
    quality: int = 85  # JPEG
    glare: float = 0.0  # 0..1, a bright spot over the card's upper half
    scale: float = 1.0  # the card's width against CARD[0]
    size: tuple[int, int] = (1280, 960)
    seed: int = 0


def man(name: str = "王建国", birth: date = date(1966, 3, 12), **more: str) -> Card:
    return Card(name, "男", birth, sequence=more.pop("sequence", "131"), **more)


def woman(name: str = "李秀英", birth: date = date(1971, 8, 30), **more: str) -> Card:
    return Card(name, "女", birth, sequence=more.pop("sequence", "242"), **more)


def front(card: Card) -> Image.Image:
    img = Image.new("RGB", CARD, PAPER)
    d = ImageDraw.Draw(img)
    _guilloche(d)
    label, value, digits = pil_font(26), pil_font(31), pil_font(40)
    d.text((60, 58), "姓 名", font=label, fill=BLUE)
    d.text((165, 53), card.name, font=value, fill=INK)
    d.text((60, 120), "性 别", font=label, fill=BLUE)
    d.text((165, 115), card.sex, font=value, fill=INK)
    d.text((300, 120), "民 族", font=label, fill=BLUE)
    d.text((395, 115), card.nation, font=value, fill=INK)
    d.text((60, 182), "出 生", font=label, fill=BLUE)
    b = card.birth
    d.text((165, 177), f"{b.year}  年  {b.month}  月  {b.day}  日", font=value, fill=INK)
    d.text((60, 244), "住 址", font=label, fill=BLUE)
    d.text((165, 239), card.address[:12], font=value, fill=INK)
    d.text((165, 284), card.address[12:], font=value, fill=INK)
    d.text((60, 448), "公民身份号码", font=label, fill=BLUE)
    d.text((262, 440), card.number, font=digits, fill=INK)
    d.rectangle((610, 60, 800, 320), fill=(214, 218, 224))
    d.ellipse((650, 95, 760, 215), fill=(170, 160, 150))  # a portrait's head and shoulders
    d.chord((620, 220, 790, 380), 180, 360, fill=(90, 95, 110))
    return img


def back() -> Image.Image:
    img = Image.new("RGB", CARD, PAPER)
    d = ImageDraw.Draw(img)
    _guilloche(d)
    d.text((250, 120), "中华人民共和国", font=pil_font(44), fill=INK)
    d.text((270, 200), "居民身份证", font=pil_font(54), fill=INK)
    d.text((160, 380), "签发机关", font=pil_font(26), fill=INK)
    d.text((300, 376), "伊金霍洛旗公安局", font=pil_font(30), fill=INK)
    d.text((160, 440), "有效期限", font=pil_font(26), fill=INK)
    d.text((300, 436), "2016.05.10-2036.05.10", font=pil_font(30), fill=INK)
    return img


def something_else(seed: int = 0) -> bytes:
    """A photo with no card: a receipt-like page of short lines and figures."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (960, 1280), (244, 242, 236))
    d = ImageDraw.Draw(img)
    for n, y in enumerate(range(80, 1200, 70)):
        d.text((70, y), f"商品{n + 1}  数量 {rnd.randint(1, 9)}", font=pil_font(32), fill=INK)
        d.text((700, y), f"{rnd.randint(1, 999)}.{rnd.randint(0, 99):02d}", font=pil_font(32))
    return jpeg(img, 85)


def photo(card_image: Image.Image, shot: Shot = Shot()) -> bytes:
    """The card on a table, as a phone takes it."""
    rnd = random.Random(shot.seed)
    table = TABLES[shot.seed % len(TABLES)]
    width = round(CARD[0] * shot.scale)
    card = card_image.resize((width, round(CARD[1] * shot.scale)), Image.Resampling.LANCZOS)
    if shot.glare:
        card = _glare(card, shot.glare, rnd)
    mask = Image.new("L", card.size, 255).rotate(shot.angle, expand=True)
    card = card.rotate(shot.angle, expand=True, resample=Image.Resampling.BICUBIC)
    canvas = Image.new("RGB", shot.size, table)
    x = max(0, (shot.size[0] - card.width) // 2 + rnd.randint(-40, 40))
    y = max(0, (shot.size[1] - card.height) // 2 + rnd.randint(-40, 40))
    canvas.paste(card, (x, y), mask)
    if shot.blur:
        canvas = canvas.filter(ImageFilter.GaussianBlur(shot.blur))
    return jpeg(canvas, shot.quality)


def jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _guilloche(d: ImageDraw.ImageDraw) -> None:
    for k in range(0, 540, 18):
        points = [(x, k + 6 * math.sin(x / 37 + k)) for x in range(0, 856, 8)]
        d.line(points, fill=(214, 224, 232), width=1)


def _glare(card: Image.Image, strength: float, rnd: random.Random) -> Image.Image:
    spot = Image.new("L", card.size, 0)
    cx, cy = rnd.randint(card.width // 4, card.width * 3 // 4), card.height // 4
    r = card.width // 5
    ImageDraw.Draw(spot).ellipse((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=255)
    spot = spot.filter(ImageFilter.GaussianBlur(r // 3)).point(lambda v: int(v * strength))
    return Image.composite(Image.new("RGB", card.size, (255, 255, 255)), card, spot)


def varied(n: int, seed: int = 0) -> list[tuple[Card, Shot]]:
    """n cards and shots spread over the conditions of real phone photos: tilt up to ±12°,
    blur up to 1.6 px, JPEG 40–85, glare on one in three, the card 70–130 % of CARD."""
    rnd = random.Random(seed)
    people = [man(), woman(), man("巴特尔·朝鲁"), woman("乌云其木格"), man("张赟")]
    people.append(woman("欧阳丽"))
    out = []
    for i in range(n):
        base = people[i % len(people)]
        birth = date(rnd.randint(1958, 1975), rnd.randint(1, 12), rnd.randint(1, 28))
        odd = rnd.randint(0, 4) * 2 + (1 if base.sex == "男" else 0)
        card = replace(base, birth=birth, sequence=f"{rnd.randint(10, 99)}{odd}")
        shot = Shot(
            angle=rnd.uniform(-12, 12),
            blur=rnd.choice((0.0, 0.6, 1.0, 1.6)),
            quality=rnd.randint(40, 85),
            glare=0.85 if i % 3 == 0 else 0.0,
            scale=rnd.uniform(0.7, 1.3),
            seed=i,
        )
        out.append((card, shot))
    return out
