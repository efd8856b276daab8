"""`python main.py precheck` as window staff, HR and scripts run it: a real subprocess."""

import json
import select
import subprocess
import sys
from datetime import date
from pathlib import Path

from policy.idcard import check_character

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-26"


def number(birth: date, sequence: int) -> str:
    first17 = f"150627{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


MAN = number(date(1966, 1, 9), 131)  # statutory 60y4m, 2026-05: reached by TODAY
WOMAN = number(date(1976, 6, 30), 246)


def precheck(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "main.py", "precheck", "--today", TODAY, *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_single_number_as_plain_chinese_text():
    done = precheck("--id-number", MAN)
    assert done.returncode == 0
    text = done.stdout.decode()
    assert "60岁4个月" in text and "2026年5月" in text
    assert "已达到法定退休年龄" in text
    assert "仅供参考，以人社部门审核为准" in text
    assert MAN not in text and MAN[-4:] in text
    assert len(text.splitlines()) <= 10


def test_single_number_as_json():
    done = precheck("--id-number", MAN, "--contribution-months", "170", "--json")
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert result["valid"] is True
    assert result["category"] == "male"
    assert result["statutory_retirement_month"] == "2026-05"
    assert result["reached_statutory_age"] is True and result["months_until_statutory"] == 0
    assert result["contribution_shortfall_months"] == 10
    assert "birth_date_provisional" in result["notes"]


def test_a_woman_without_category_is_asked_and_shown_both_outcomes():
    done = precheck("--id-number", WOMAN, "--json")
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert "female_category_required" in result["notes"]
    assert set(result["by_category"]) == {"female_cadre", "female_worker"}
    text = precheck("--id-number", WOMAN).stdout.decode()
    assert "管理或技术岗位" in text and "工人岗位" in text


def test_an_invalid_number_exits_2_with_the_reason_in_chinese_on_stderr():
    bad = MAN[:17] + ("0" if MAN[17] != "0" else "1")
    done = precheck("--id-number", bad)
    assert done.returncode == 2
    assert "校验码" in done.stderr.decode()
    as_json = precheck("--id-number", bad, "--json")
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout)["error"]["code"] == "bad_check_character"
    assert bad not in as_json.stdout.decode() + as_json.stderr.decode()


def test_bad_options_are_answered_in_chinese_with_exit_2():
    for args, words in (
        (("--id-number", ""), "请填写身份证号码"),
        (("--id-number", "1' OR '1'='1"), "只能是数字"),
        (("--id-number", MAN, "--category", "female_worker"), "性别不一致"),
        (("--id-number", MAN, "--contribution-months", "lots"), "缴费月数"),
    ):
        done = precheck(*args)
        assert done.returncode == 2, args
        assert words in done.stderr.decode(), args
    bad_day = subprocess.run(
        [sys.executable, "main.py", "precheck", "--id-number", MAN, "--today", "26/11/2026"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr.decode()


def test_batch_answers_every_line_in_order_whatever_it_holds():
    lines = [
        MAN.encode(),
        b"",
        b"garbage",
        f"{WOMAN},female_worker,120".encode(),
        b"\xff\xfe\x00 not utf-8",
        b"'; DROP TABLE cases; --",
        b"1" * 10_000_000,  # a 10 MB line
        f"{WOMAN}\uff0cfemale_cadre".encode(),  # full-width comma
        b"110105491231002",  # 15 digits
        b"   ",
        f"{MAN},male,999999".encode(),
        f"{MAN.lower()}\r".encode(),  # CRLF file
        MAN.encode(),  # the last line has no line ending
    ]
    done = precheck(stdin=b"\n".join(lines))
    assert done.returncode == 0
    out = done.stdout.decode()
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(lines)
    assert [a["line"] for a in answers] == list(range(1, len(lines) + 1))
    codes = [a["error"]["code"] if a["error"] else None for a in answers]
    assert codes == [
        None,
        "empty",
        "bad_characters",
        None,
        "bad_encoding",
        "bad_characters",
        "line_too_long",
        None,
        None,
        "empty",
        "bad_contribution_months",
        None,
        None,
    ]
    assert answers[3]["category"] == "female_worker"
    assert answers[3]["contribution_shortfall_months"] == 60
    assert answers[7]["category"] == "female_cadre"
    assert "converted_from_15" in answers[8]["notes"]
    for answer in answers:
        if answer["valid"]:
            assert "birth_date_provisional" in answer["notes"]
        else:
            assert answer["error"]["message"]
    assert MAN not in out and WOMAN not in out  # only masked numbers leave the process


def test_batch_answers_a_line_before_the_input_ends():
    """Streamed: a script can write a line, read its answer, and write the next."""
    child = subprocess.Popen(
        [sys.executable, "main.py", "precheck", "--today", TODAY],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        for expected, line in enumerate((MAN, "garbage", WOMAN), start=1):
            child.stdin.write(f"{line}\n".encode())
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], 60)
            assert ready, "no answer while the input is still open"
            assert json.loads(child.stdout.readline())["line"] == expected
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert child.returncode == 0


def test_empty_input_gives_empty_output():
    done = precheck(stdin=b"")
    assert done.returncode == 0 and done.stdout == b""


def test_help_lists_precheck():
    done = subprocess.run(
        [sys.executable, "main.py", "--help"], cwd=ROOT, capture_output=True, check=False
    )
    assert b"precheck" in done.stdout
