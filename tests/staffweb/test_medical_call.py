"""The plan's phone call: once the medical office answers the contribution and back payment,
the clerk's task list holds a call to the worker with the figures, and closing it keeps what
was said."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cases.models import StaffTask
from tests.platform.conftest import FORM
from tests.staffweb.conftest import Desk, post_form

# (contribution months, back payment the office answered, what the clerk reads)
ANSWERS = [
    ("250", "5600.00", "缴费月数：20年10个月（250个月）", "需补缴金额（元）：5600.00"),
    ("372", "0", "缴费月数：31年（372个月）", "需补缴金额（元）：无需补缴"),
    ("180", "35.5", "缴费月数：15年（180个月）", "需补缴金额（元）：35.50"),
]


@pytest.mark.parametrize(("months", "due", "counted", "shown"), ANSWERS)
async def test_a_medical_answer_puts_a_phone_call_with_the_figures_on_the_clerks_list(
    desk: Desk, months: str, due: str, counted: str, shown: str
) -> None:
    await desk.account("li", "clerk")
    number = await desk.case()
    await desk.db.run(desk.platform.accept, number, "account:li")
    pension = {"monthly_pension": "3520.50"}
    await desk.db.run(desk.platform.answer, number, "pension_claim", "done", "p", pension)
    medical = {"contribution_months": months, "back_payment_due": due}
    await desk.db.run(desk.platform.answer, number, "medical_insurance", "done", "m", medical)
    clerk = await desk.client("li")
    try:
        page = await (await clerk.get("/tasks")).text()
        assert "电话告知医保缴费和补缴情况" in page and number in page
        assert counted in page and shown in page  # the months with their unit, in years too
        assert FORM["phone"] in page  # the clerk must call it
        task = await desk.db.run(
            lambda s: s.scalar(select(StaffTask).where(StaffTask.kind == "phone_medical"))
        )
        said = "已电话告知缴费月数和补缴金额，申请人下周到窗口缴纳"
        closed = await post_form(clerk, "/tasks", f"/tasks/{task.id}/done", {"note": said})
        assert closed.status == 303
        after = await desk.db.run(lambda s: s.get(StaffTask, task.id))
        assert after.status == "done" and after.detail["done_note"] == said
        assert after.detail["done_by"] == "account:li"
        assert "电话告知医保缴费和补缴情况" not in await (await clerk.get("/tasks")).text()
    finally:
        await clerk.close()
