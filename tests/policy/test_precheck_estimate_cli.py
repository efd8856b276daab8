"""`main.py precheck --json` with the estimate's flags (issue 15): a real subprocess, with the
base figures of the test fixture (SERVICE__PENSION_BASE_FILE) and with the shipped file."""

import json
import os
import subprocess
import sys
from pathlib import Path

from policy.idcard import check_character

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "pension_base_test.toml"
# Born 1966-01: statutory 60y4m, 2026-05; on 2026-11-26 he has passed it, so he retires
# now, at 60y10m: divisor 139 - 7 x 10/12 = 133.17 -> 133.2.
FIRST17 = "150627196601091310"[:17]
MAN = FIRST17 + check_character(FIRST17)


def precheck(*args: str, base_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SERVICE__PENSION_BASE_FILE", None)
    if base_file is not None:
        env["SERVICE__PENSION_BASE_FILE"] = str(base_file)
    return subprocess.run(
        [
            sys.executable,
            "main.py",
            "precheck",
            "--today",
            "2026-11-26",
            "--id-number",
            MAN,
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_gains_the_estimate_worked_by_hand():
    # basic   = 8000 x (1 + 0.9)/2 x 30 x 1% = 2280.00 .. 8000 x (1 + 1.1)/2 x 0.30 = 2520.00
    # account = 100000 / 133.2 = 750.750... -> 750.75; the 2024 figure stands in for 2026
    done = precheck(
        "--json",
        "--contribution-months",
        "360",
        "--index",
        "1.0",
        "--account-balance",
        "100000",
        base_file=FIXTURE,
    )
    assert done.returncode == 0, done.stderr
    estimate = json.loads(done.stdout)["estimate"]
    assert estimate["label"] == "估算，以社保经办机构核定为准"
    assert estimate["divisor"] == 133.2
    assert estimate["basic"] == {"low": "2280.00", "high": "2520.00"}
    assert estimate["account"] == "750.75"
    assert estimate["total"] == {"low": "3030.75", "high": "3270.75"}
    assert estimate["requested_year"] == 2026 and estimate["base_year"] == 2024
    assert "base_from_earlier_year" in estimate["notes"]


def test_without_the_flags_there_is_no_estimate():
    done = precheck("--json", "--contribution-months", "360")
    assert "estimate" not in json.loads(done.stdout)


def test_the_shipped_file_without_a_figure_says_so_plainly():
    done = precheck("--contribution-months", "360", "--estimate")
    assert done.returncode == 0, done.stderr
    assert "估算，以社保经办机构核定为准" in done.stdout
    assert "2026年的养老金计发基数尚未公布" in done.stdout
    assert "· 基础养老金" not in done.stdout, "no base figure: no basic pension, never guessed"


def test_an_index_outside_the_range_is_refused_in_chinese():
    done = precheck("--json", "--contribution-months", "360", "--index", "5")
    assert json.loads(done.stdout)["estimate"] == {
        "error": "平均缴费指数一般在0.6到3.0之间，请再核对一下（不清楚可以不填）。"
    }


def test_the_estimate_needs_the_contribution_months():
    done = precheck("--json", "--estimate")
    assert "缴费年限" in json.loads(done.stdout)["estimate"]["error"]
