"""A question as one row: what it expects, its choices and where their words come from, the
answer it fills and how, its line on the review, who is asked it and what changing it undoes.

The order of the questions, and the rules that lead from one to the next, stay in
`dialogs/machine.py` (the one transitions TABLE); everything else about a question is its row
here. The engine reads the rows: the choices offered (`engine/asking.py`), the recording of an
answer (`engine/recording.py`), the review's lines (`engine/summary.py`), the edit menu and
what an edit clears. A new question is a row here, its rows in machine.TABLE and its texts in
locales/ (`dialogs.<key>`, `dialogs.field.<key>`, `dialogs.summary.<answer>`).

Rows name what is the engine's to do (a recorder, a move, a source of choices, a condition of
the machine's model), as machine.TABLE names its conditions: this module is data, and imports
nothing of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dialogs.machine import QUESTION_ORDER
from locales import LANGUAGES
from locales.replies import Expects

YES_NO = ("yes", "no")
# 不知道 is an answer where an office can find out (policy.materials.office_checks).
YES_NO_UNKNOWN = ("yes", "no", "unknown")
HAVE_LOST = ("have", "lost")

# Where typed words are matched to the offered choices (engine/answering.py `read_choice`):
#   labels   the buttons' labels, their parts and the synonyms kept in locales/
#            (dialogs.synonyms.<choice>, dialogs.synonyms_at.<question>.<choice>), then the
#            NLU's short answers
#   towns    the towns' names and nicknames of policy/towns.toml first, then as labels
#   buttons  only a button's own words or its number, nothing guessed (deleting)
Words = Literal["labels", "towns", "buttons"]
# How a question typed where words are asked is told from the answer:
#   strict   a name: any words may be a question, but only a clear one is taken for one
#   asked    an employer's name, full of the FAQ's words: only words asked as a question
#   unless_readable  a number: anything that could be the number is read as one
Faq = Literal["strict", "asked", "unless_readable"]
# How the review shows the answer (engine/summary.py).
Shown = Literal["text", "masked", "label", "flag", "months", "town"]


@dataclass(frozen=True)
class Question:
    key: str  # the stable question key (the state's name, or what a state asks)
    expects: Expects
    choices: tuple[str, ...] = ()  # the choice ids, when they are always the same
    choices_from: str | None = None  # else where they come from (engine/asking.py SOURCES)
    words: Words = "labels"
    own_labels: bool = False  # its buttons say more: `dialogs.choice_at.<key>.<choice>`
    answer: str | None = None  # the answers key it fills (policy.materials' Answers fields)
    records: str | None = None  # the recorder of engine/recording.py RECORDERS
    moves: str | None = None  # or: the answer is a move (engine/recording.py MOVES)
    review: Shown | None = None  # its line on the review, `dialogs.summary.<answer>`
    hint: str = "dialogs.hint.choose"  # said when a button is none of the choices
    faq: Faq | None = None  # at a question of words: see Faq
    asked_if: str | None = None  # the condition of machine.TABLE that leads to it
    editable: bool = False  # offered in the review's edit menu (when it applies)
    back: bool = True  # /back may return to it
    clears: tuple[str, ...] = ()  # answers a change invalidates (beyond policy.materials')
    clears_pages: tuple[str, ...] = ()  # materials whose pages no longer fit after a change
    verdict: bool = False  # a change shows the pre-check verdict again
    checklist: bool = False  # a change shows the checklist of materials again


_ROWS: tuple[Question, ...] = (
    Question(
        "ask_language", "choice", LANGUAGES, answer="language", records="language",
        back=False,
    ),
    Question(
        "ask_consent", "choice", ("agree", "decline", "full_text"), answer="consent",
        records="consent", back=False,
    ),
    Question(
        "ask_name", "text", answer="name", records="name", review="text",
        hint="dialogs.hint.name", faq="strict", editable=True,
    ),
    Question(
        "ask_id_number", "text", answer="id_number", records="id_number", review="masked",
        hint="idcard.empty", faq="unless_readable", editable=True, verdict=True,
        clears=("ask_category",),  # a man's category follows from his ID number
    ),
    Question(
        "ask_phone", "contact", answer="phone", records="phone", review="text",
        hint="dialogs.hint.phone", faq="unless_readable", editable=True,
    ),
    Question(
        "ask_category", "choice", ("female_cadre", "female_worker"), answer="category",
        records="as_is", review="label", asked_if="is_woman", editable=True, verdict=True,
    ),
    Question(
        "ask_retirement_type", "choice", ("normal", "illness_disability", "special_work_type"),
        answer="retirement_type", records="retirement_type", review="label", editable=True,
    ),
    Question(
        "ask_contribution", "text", ("unknown",), answer="contribution_months",
        records="contribution", review="months", hint="dialogs.hint.contribution",
        faq="unless_readable", editable=True, verdict=True,
    ),
    Question(
        "ask_town", "choice", choices_from="towns", words="towns", answer="town",
        records="as_is", review="town", editable=True,
    ),
    Question(
        "ask_has_employer", "choice", YES_NO, answer="has_employer", records="flag",
        review="flag", editable=True, checklist=True,
        clears=("ask_employer_name",),  # asked only when there is an employer
        clears_pages=("application_form",),  # the stamp depends on the employer
    ),
    Question(
        "ask_employer_name", "text", answer="employer_name", records="employer_name",
        review="text", hint="dialogs.hint.employer_name", faq="asked",
        asked_if="has_employer", editable=True,
    ),
    Question(
        "ask_name_matches_archive", "choice", YES_NO_UNKNOWN, answer="name_matches_archive",
        records="flag", review="flag", editable=True, checklist=True,
    ),
    Question(
        "ask_paid_before_1995_07", "choice", YES_NO_UNKNOWN, answer="paid_before_1995_07",
        records="flag", review="flag", editable=True, checklist=True,
    ),
    Question(
        "ask_handbook", "choice", HAVE_LOST, answer="handbook", records="as_is",
        review="label", asked_if="paid_before_1995_07", editable=True, checklist=True,
    ),
    Question(
        "ask_lump_sum_before_1996", "choice", YES_NO_UNKNOWN, answer="lump_sum_before_1996",
        records="flag", review="flag", editable=True, checklist=True,
    ),
    Question(
        "ask_receipts", "choice", HAVE_LOST, answer="receipts", records="as_is",
        review="label", asked_if="made_lump_sum", editable=True, checklist=True,
    ),
    Question(
        "ask_veteran", "choice", YES_NO, answer="veteran", records="flag", review="flag",
        editable=True, checklist=True,
    ),
    # Asked by states that are not questions of their own (machine.question_key).
    Question("ask_reminder", "choice", choices_from="reminder", moves="reminder"),
    Question("ask_review", "choice", ("submit", "edit"), moves="review"),
    Question("ask_edit", "choice", choices_from="edit_menu", moves="edit"),
    Question(
        "ask_cancel", "choice", YES_NO, words="buttons", own_labels=True, moves="cancel",
    ),
)  # fmt: skip

# Every `ask_upload_<material>`: pages of one material, then "done" (or "lost", "later").
UPLOAD = Question("ask_upload", "file", choices_from="upload")

QUESTIONS: dict[str, Question] = {row.key: row for row in _ROWS}
# The questions in the order they are first asked (machine.QUESTION_ORDER): the review's
# lines and the edit menu follow it.
ASKED: tuple[Question, ...] = tuple(QUESTIONS[state.value] for state in QUESTION_ORDER)
# Question -> the answers key it fills.
ANSWER_KEY: dict[str, str] = {row.key: row.answer for row in _ROWS if row.answer}


def question(key: str) -> Question | None:
    """The row of a question key (every `ask_upload_<material>` shares one), or None."""
    if key.startswith("ask_upload_"):
        return UPLOAD
    return QUESTIONS.get(key)


def label_key(choice: str, at: str | None = None) -> str:
    """The locale key of a choice's label (at question `at`): the question's own label where
    its row says its buttons say more; a question offered as a choice (the edit menu) by its
    field name; a material by its name."""
    row = question(at) if at else None
    if row is not None and row.own_labels and choice in row.choices:
        return f"dialogs.choice_at.{at}.{choice}"
    if choice.startswith("ask_upload_"):
        return f"material.{choice.removeprefix('ask_upload_')}.name"
    if choice.startswith("ask_"):
        return f"dialogs.field.{choice}"
    return f"dialogs.choice.{choice}"
