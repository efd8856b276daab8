"""The kinds of staff task and how the clerk reads them (Chinese, never a key).

Kept apart from `cases.tasks` and free of imports: the command line offers these kinds as
choices (`staff tasks --kind`), and building the parser must not load the database models.
"""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {
    "phone_applicant": "电话通知申请人（无法推送）",
    "handover": "转人工：申请人需要人工解答",
    "objection": "申请人对办理结果有异议，请电话沟通",
    "overdue": "事项超时未办结",
    "rating_followup": "差评回访",
    "online_step_help": "网办事项协助",
    "platform_call_failed": "审批平台调用失败",
    "notice_failed": "结果告知单生成失败，请人工处理",
    "online_check_failed": "网办回访提醒发送失败，请人工处理",
    "reminder_failed": "退休提醒发送失败，请电话提醒",
    "phone_medical": "电话告知医保缴费和补缴情况",
    "route_town": "核实申请人所在镇，分派社会化管理服务登记",
    "birth_date_differs": "档案出生日期与身份证不一致，法定退休时间已重算",
    "phone_walk_in": "电话告知办理进展（窗口受理，申请人未关联 Telegram）",
}
FOLLOWUP_KIND = "rating_followup"  # closed with `staff followup`, which tells the applicant
