"""The engine's names: limits, consent, and the locale keys of statuses and labels. Data only,
shared by every part of the engine (what belongs to one question is its row in
dialogs/questions.py)."""

from __future__ import annotations

from dialogs import answers as read
from dialogs.events import Event, Text
from locales import LANGUAGES as LANGUAGES  # the engine's names include the languages
from locales.replies import Msg

# The case number is known only once the service has written the case; a reply that names it
# carries this value, which the service replaces (see service.py).
CASE_NUMBER = "\x00case_number"
CONSENT_VERSION = "2026-11-v1"
CONSENT_SCOPE = ("id_number", "id_card_photos", "social_security_card", "phone", "documents")
# answers: the contribution years were said as a round figure ("二十多年"): shown as "约20年"
CONTRIBUTION_ABOUT = "contribution_about"
MAX_FAILURES = 3
CHOICE_MISSES = 2  # at a question with choices: then the choices are listed, a person offered
FAQ_MIN_CONFIDENCE = 0.5

# Words that answer nothing ("好了", a greeting): never a name, however well they parse as one.
NOT_NAMES = frozenset(
    {"好了", "好的", "好啊", "可以", "是的", "嗯嗯", "在吗", "你好", "您好", "谢谢"}
    | {"不知道", "不清楚", "没有", "不是", "开始", "继续", "完成", "下一步"}
)
PROBLEMS = (
    "blurred",
    "too_small",
    "not_decodable",
    "too_large",
    "unsupported_type",
    "heic",
    "bad_pdf",
    "active_pdf",
    "decompression_bomb",
)
CASE_STATUSES = (
    "draft",
    "submitted",
    "accepted",
    "returned_for_correction",
    "processing",
    "results_ready",
    "notified",
    "signed",
    "rated",
    "closed",
    "withdrawn",
)
ITEM_STATUSES = (
    "pending",  # at its office, on the clock
    "waiting",  # starts when an earlier item is done (medical insurance after the pension)
    "in_progress",
    "done",
    "supplement",
    "supplement_sent",
    "refused",
    "online",
    "overdue",
)


def readable(event: Event) -> bool:
    return isinstance(event, Text) and 0 < len(event.text.strip()) <= read.MAX_TEXT


def material_name(code: str) -> Msg:
    return Msg(f"material.{code}.name")


def problem_key(problem: str) -> str:
    return problem if problem in PROBLEMS else "other"


def case_status_key(status: str) -> str:
    return f"dialogs.case_status.{status if status in CASE_STATUSES else 'other'}"


def item_status_key(status: str) -> str:
    return f"dialogs.item_status.{status if status in ITEM_STATUSES else 'in_progress'}"
