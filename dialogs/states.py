"""The conversation's states, named by their stable question keys (`ask_...`) so that a
channel, a test and a stored conversation all speak the same names; the order questions are
first asked in; the states after submission and after the result. The moves between them are
the table in `dialogs/machine.py`."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    start = "start"
    ask_language = "ask_language"
    ask_consent = "ask_consent"
    declined = "declined"
    ask_name = "ask_name"
    ask_id_number = "ask_id_number"
    ask_phone = "ask_phone"
    ask_category = "ask_category"
    ask_retirement_type = "ask_retirement_type"
    ask_contribution = "ask_contribution"
    not_yet_eligible = "not_yet_eligible"  # asks ask_reminder
    waiting_for_date = "waiting_for_date"
    ask_town = "ask_town"
    ask_has_employer = "ask_has_employer"
    ask_employer_name = "ask_employer_name"
    ask_name_matches_archive = "ask_name_matches_archive"
    ask_paid_before_1995_07 = "ask_paid_before_1995_07"
    ask_handbook = "ask_handbook"
    ask_lump_sum_before_1996 = "ask_lump_sum_before_1996"
    ask_receipts = "ask_receipts"
    ask_veteran = "ask_veteran"
    uploading = "uploading"  # asks ask_upload_<material>
    ask_review = "ask_review"
    choosing_edit = "choosing_edit"  # asks ask_edit
    confirming_cancel = "confirming_cancel"  # asks ask_cancel
    cancelled = "cancelled"
    handed_to_person = "handed_to_person"
    submitted = "submitted"
    supplementing = "supplementing"  # asks ask_upload_<material> returned or asked for again
    # After the result (dialogs/engine/after_result.py): sign the notice, rate, online steps.
    ask_signature_name = "ask_signature_name"
    ask_signature_confirm = "ask_signature_confirm"
    ask_rating = "ask_rating"
    ask_rating_comment = "ask_rating_comment"
    ask_online_steps_done = "ask_online_steps_done"
    finished = "finished"


# Questions in the order they are first asked; an answered one is skipped on the way forward.
# Everything else about a question (choices, answer key, review line, ...) is its row in
# dialogs/questions.py.
QUESTION_ORDER: tuple[State, ...] = (
    State.ask_language,
    State.ask_consent,
    State.ask_name,
    State.ask_id_number,
    State.ask_phone,
    State.ask_category,
    State.ask_retirement_type,
    State.ask_contribution,
    State.ask_town,
    State.ask_has_employer,
    State.ask_employer_name,
    State.ask_name_matches_archive,
    State.ask_paid_before_1995_07,
    State.ask_handbook,
    State.ask_lump_sum_before_1996,
    State.ask_receipts,
    State.ask_veteran,
)

# Where the applicant cannot go back to the questions: the case is in the office's hands or
# the journey ended.
AFTER_SUBMISSION = frozenset({State.submitted, State.supplementing})
# After the result: dialogs/engine/after_result.py answers in these states.
AFTER_RESULT = frozenset(
    {
        State.ask_signature_name,
        State.ask_signature_confirm,
        State.ask_rating,
        State.ask_rating_comment,
        State.ask_online_steps_done,
        State.finished,
    }
)
