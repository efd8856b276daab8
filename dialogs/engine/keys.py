"""The engine's names: question and answer keys, choice sets, limits, and the locale keys of
statuses and labels. Data only, shared by every part of the engine."""

from __future__ import annotations

from dialogs import answers as read
from dialogs.events import Event, Text
from locales.replies import Msg

# The case number is known only once the service has written the case; a reply that names it
# carries this value, which the service replaces (see service.py).
CASE_NUMBER = "\x00case_number"
CONSENT_VERSION = "2026-11-v1"
CONSENT_SCOPE = ("id_number", "id_card_photos", "social_security_card", "phone", "documents")
MAX_FAILURES = 3
CHOICE_MISSES = 2  # at a question with choices: then the choices are listed, a person offered
LANGUAGES = ("zh_CN", "en")
FAQ_MIN_CONFIDENCE = 0.5

YES_NO = ("yes", "no")
HAVE_LOST = ("have", "lost")
# Question -> the answers key it fills (the Answers field names of policy/materials).
ANSWER_KEY: dict[str, str] = {
    "ask_language": "language",
    "ask_consent": "consent",
    "ask_name": "name",
    "ask_id_number": "id_number",
    "ask_phone": "phone",
    "ask_category": "category",
    "ask_retirement_type": "retirement_type",
    "ask_contribution": "contribution_months",
    "ask_town": "town",
    "ask_has_employer": "has_employer",
    "ask_employer_name": "employer_name",
    "ask_name_matches_archive": "name_matches_archive",
    "ask_paid_before_1995_07": "paid_before_1995_07",
    "ask_handbook": "handbook",
    "ask_lump_sum_before_1996": "lump_sum_before_1996",
    "ask_receipts": "receipts",
    "ask_veteran": "veteran",
}
BOOL_QUESTIONS = frozenset(
    {
        "ask_has_employer",
        "ask_name_matches_archive",
        "ask_paid_before_1995_07",
        "ask_lump_sum_before_1996",
        "ask_veteran",
    }
)
# Yes/no questions where "不知道" is an answer: an office finds out (policy.materials).
UNKNOWN_QUESTIONS = frozenset(
    {"ask_name_matches_archive", "ask_paid_before_1995_07", "ask_lump_sum_before_1996"}
)
# Beyond policy/materials' own dependents: answers that another answer invalidates.
MORE_DEPENDENTS: dict[str, tuple[str, ...]] = {
    "ask_id_number": ("ask_category",),
    "ask_has_employer": ("ask_employer_name",),  # asked only when there is an employer
}
# Materials whose pages no longer fit after an answer changes (the stamp depends on employer).
EDIT_CLEARS: dict[str, tuple[str, ...]] = {"ask_has_employer": ("application_form",)}
# Answers whose change makes the pre-check verdict worth showing again.
VERDICT_INPUTS = frozenset({"ask_id_number", "ask_category", "ask_contribution"})
MATERIAL_QUESTIONS = frozenset(
    {"ask_has_employer", "ask_name_matches_archive", "ask_handbook", "ask_receipts"}
    | {"ask_paid_before_1995_07", "ask_lump_sum_before_1996", "ask_veteran"}
)
# Words that answer nothing ("好了", a greeting): never a name, however well they parse as one.
NOT_NAMES = frozenset(
    {"好了", "好的", "好啊", "可以", "是的", "嗯嗯", "在吗", "你好", "您好", "谢谢"}
    | {"不知道", "不清楚", "没有", "不是", "开始", "继续", "完成", "下一步"}
)
TEXT_HINTS = {
    "ask_name": "dialogs.hint.name",
    "ask_id_number": "idcard.empty",
    "ask_phone": "dialogs.hint.phone",
    "ask_contribution": "dialogs.hint.contribution",
    "ask_employer_name": "dialogs.hint.employer_name",
}

SUMMARY_ORDER = [
    "dialogs.summary.name",
    "dialogs.summary.id_number",
    "dialogs.summary.phone",
    "dialogs.summary.category",
    "dialogs.summary.contribution",
    "dialogs.summary.town",
    "dialogs.summary.has_employer",
    "dialogs.summary.employer_name",
    "dialogs.summary.name_matches_archive",
    "dialogs.summary.paid_before_1995_07",
    "dialogs.summary.handbook",
    "dialogs.summary.lump_sum_before_1996",
    "dialogs.summary.receipts",
    "dialogs.summary.veteran",
]

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


# Choices whose label at one question says more than the general one (ask_cancel: what
# "yes" does). Typed answers are matched against these labels too (dialogs/choice_words.py).
QUESTION_LABELS = frozenset({("ask_cancel", "yes"), ("ask_cancel", "no")})


def label_key(choice: str, question: str | None = None) -> str:
    if (question, choice) in QUESTION_LABELS:
        return f"dialogs.choice_at.{question}.{choice}"
    if choice.startswith("ask_upload_"):
        return f"material.{choice.removeprefix('ask_upload_')}.name"
    if choice.startswith("ask_"):
        return f"dialogs.field.{choice}"
    return f"dialogs.choice.{choice}"
