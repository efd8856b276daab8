"""Cost of the documents: result notice, signed copy, application form, flowchart.

    .venv/bin/python benchmarks/documents_render.py

Prints time per document (best of N, after one warm-up), bytes, and the share of the
budget a notice may take in the aftercare sweep (one notice per case; 1 s budget).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.application_form import FormInput, render_application_form
from documents.flowchart import graphs, render_png
from documents.result_notice import (
    NoticeData,
    NoticeItem,
    Signature,
    render_result_notice,
)
from locales import Translator

N = 5
TR = Translator("zh_CN")
NOTICE = NoticeData(
    "YJ-20261126-0001",
    "王建国",
    "1506**********0032",
    date(2026, 11, 26),
    (
        NoticeItem("pension_claim", "企业职工基本养老保险待遇申领", "旗就业和社会保险事业中心",
                   "done", {"monthly_pension": "3520.50"}),
        NoticeItem("medical_insurance", "职工医保人员退休", "旗医疗保障局", "done",
                   {"contribution_months": 312, "back_payment_due": "1200.00"}),
        NoticeItem("housing_fund", "正常退休提取住房公积金", "公积金伊旗管理部", "online"),
    ),
    "1. 打开“蒙速办”APP……",
    "1. 打开“蒙速办”APP……",
    ("旗政务服务中心窗口",),
)  # fmt: skip


def best(fn) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    fn()
    times, size = [], 0
    for _ in range(N):
        t = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - t)
    return min(times), size


def main() -> None:
    signature = Signature("王建国", datetime(2026, 11, 26, 2, 0, tzinfo=UTC), "0" * 64)
    form = FormInput(
        {"name": "王建国", "has_employer": True, "employer_name": "某公司"},
        ["企业职工基本养老保险待遇申领"],
        ["身份证"],
        date(2026, 11, 26),
    )
    rows = {
        "result notice": lambda: render_result_notice(NOTICE, TR),
        "signed copy": lambda: render_result_notice(NOTICE, TR, signature),
        "application form": lambda: render_application_form(form, TR),
        "flowchart (case)": lambda: render_png(graphs(TR)[0]),
        "flowchart (conversation)": lambda: render_png(graphs(TR)[1]),
    }
    print(f"{'document':<26}{'seconds':>9}{'bytes':>10}")
    results = {}
    for name, fn in rows.items():
        seconds, size = best(fn)
        results[name] = seconds
        print(f"{name:<26}{seconds:>9.3f}{size:>10,}")
    print(f"notice / 1 s sweep budget: {results['result notice']:.2f}")
    print(f"signed copy / notice: {results['signed copy'] / results['result notice']:.2f}")


if __name__ == "__main__":
    main()
