"""The card's front read from OCR lines (issue 18): what is taken, what is refused, no model."""

from __future__ import annotations

import math
from datetime import date

from policy.idcard import check_character
from policy.idcard_front import CardFront, TextLine, read_front

TODAY = date(2026, 11, 26)
NUMBER = "150627196603121314"[:17]
NUMBER += check_character(NUMBER)  # a man (1 is odd), born 1966-03-12


def line(text: str, x: float, y: float, width: float = 0, angle: float = 0.0) -> TextLine:
    """A line of text at (x, y), 30 px high, turned by `angle` degrees like a tilted photo."""
    width = width or 30 * len(text)
    a = math.radians(angle)

    def at(dx: float, dy: float) -> tuple[float, float]:
        return (x + dx * math.cos(a) - dy * math.sin(a), y + dx * math.sin(a) + dy * math.cos(a))

    return TextLine(text, (at(0, 0), at(width, 0), at(width, 30), at(0, 30)), 0.99)


def card_lines(
    number: str = NUMBER,
    name: str = "王建国",
    sex: str = "男",
    birth: str = "1966年3月12日",
    angle: float = 0.0,
) -> list[TextLine]:
    """The lines an engine finds on a card's front, each value a line of its own beside its
    label, in positions turned by `angle` about the card's corner."""
    a = math.radians(angle)
    rows = [
        ("姓名", 60, 60, 60), (name, 165, 55, 0), ("性别", 60, 120, 60), (sex, 165, 117, 0),
        ("民族汉", 300, 120, 0), ("出生", 60, 182, 60), (birth, 165, 178, 0),
        ("住址", 60, 244, 60), ("内蒙古自治区伊金霍洛旗", 165, 240, 0),
        ("公民身份号码", 60, 448, 0), (number, 262, 440, 560),
    ]  # fmt: skip
    return [
        line(text, x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a), w, angle)
        for text, x, y, w in rows
    ]


def test_a_card_read_upright_gives_number_name_birth_and_sex() -> None:
    front = read_front(card_lines(), TODAY)
    assert front.outcome == "read"
    assert front.number is not None and front.number.number == NUMBER
    assert (front.name, front.birth_date, front.sex) == ("王建国", date(1966, 3, 12), "male")


def test_a_tilted_card_still_pairs_each_label_with_its_value() -> None:
    for angle in (-12.0, -5.0, 7.0, 12.0):
        front = read_front(card_lines(angle=angle), TODAY)
        assert (front.outcome, front.name, front.sex) == ("read", "王建国", "male"), angle


def test_a_label_and_value_read_as_one_line_are_split() -> None:
    lines = [line("姓名巴特尔•朝鲁", 60, 60), line("性别男民族蒙古", 60, 120)]
    lines += [line("出生1966年3月12日", 60, 180), line(f"公民身份号码{NUMBER}", 60, 440, 800)]
    front = read_front(lines, TODAY)
    assert front.outcome == "read"
    assert front.name == "巴特尔·朝鲁"  # the middle dot, however read, is the card's "·"


def test_spaces_and_full_width_digits_in_the_number_are_read() -> None:
    spaced = " ".join(NUMBER[i : i + 6] for i in range(0, 18, 6)).replace("1", "１")
    front = read_front(card_lines(number=spaced), TODAY)
    assert front.number is not None and front.number.number == NUMBER


def test_a_number_failing_its_check_character_is_unclear_never_repaired() -> None:
    wrong = NUMBER[:16] + str((int(NUMBER[16]) + 2) % 10) + NUMBER[17]
    front = read_front(card_lines(number=wrong), TODAY)
    assert (front.outcome, front.number, front.problem) == ("unclear", None, "no_number")


def test_letters_read_for_digits_are_not_guessed_back() -> None:
    front = read_front(card_lines(number=NUMBER.replace("0", "O")), TODAY)
    assert front.outcome == "unclear" and front.number is None


def test_a_longer_run_of_digits_is_not_cut_down_to_a_number() -> None:
    front = read_front(card_lines(number=NUMBER + "7"), TODAY)
    assert front.outcome == "unclear" and front.number is None


def test_a_printed_birth_date_that_disagrees_with_the_number_refuses_it() -> None:
    front = read_front(card_lines(birth="1966年8月12日"), TODAY)
    assert (front.outcome, front.number, front.problem) == ("unclear", None, "birth_differs")


def test_a_printed_sex_that_disagrees_with_the_number_refuses_it() -> None:
    front = read_front(card_lines(sex="女"), TODAY)
    assert (front.outcome, front.number, front.problem) == ("unclear", None, "sex_differs")


def test_two_different_valid_numbers_on_one_photo_refuse_both() -> None:
    other = "15062719710830124"
    other += check_character(other)
    lines = [*card_lines(), line(other, 262, 700, 560)]
    front = read_front(lines, TODAY)
    assert (front.outcome, front.problem) == ("unclear", "two_numbers")


def test_birth_and_sex_unread_still_give_the_number_but_say_nothing_of_them() -> None:
    lines = [ln for ln in card_lines() if ln.text not in ("男", "1966年3月12日")]
    front = read_front(lines, TODAY)
    assert front.outcome == "read" and (front.birth_date, front.sex) == (None, None)


def test_a_doubtful_name_line_is_not_offered() -> None:
    lines = [TextLine(ln.text, ln.box, 0.6) if ln.text == "王建国" else ln for ln in card_lines()]
    front = read_front(lines, TODAY)
    assert front.outcome == "read" and front.name is None


def test_the_back_of_the_card_and_other_photos_are_told_apart() -> None:
    back = [line("中华人民共和国", 250, 120), line("居民身份证", 270, 200)]
    back.append(line("签发机关伊金霍洛旗公安局", 160, 380))
    back.append(line("有效期限2016.05.10-2036.05.10", 160, 440))
    assert read_front(back, TODAY).outcome == "back"
    receipt = [line("商品1 数量3", 70, 80), line("12.50", 700, 80), line("合计 12.50", 70, 150)]
    assert read_front(receipt, TODAY).outcome == "no_card"
    assert read_front([], TODAY).outcome == "no_card"


def test_the_reading_never_shows_the_number_or_the_name_in_its_repr() -> None:
    text = repr(read_front(card_lines(), TODAY))
    assert NUMBER not in text and "王建国" not in text and "**********" in text
    assert repr(CardFront("no_card")) == "CardFront(no_card, None, problem=None)"
