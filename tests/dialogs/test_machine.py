"""The conversation table: one shared machine, stable question keys, a drawing that is current."""

from __future__ import annotations

from dialogs import machine as m
from dialogs.engine import Step


def test_the_committed_drawing_matches_the_table() -> None:
    """Regenerate with `python -m dialogs.machine --write` when the table changes."""
    assert m.DOC.read_text(encoding="utf-8") == m.document()


def test_the_machine_is_built_once_per_process_without_auto_transitions() -> None:
    assert m.machine() is m.machine()
    assert not any(t.startswith("to_") for t in m.machine().events)


def test_every_stable_question_key_of_the_issue_is_a_state() -> None:
    keys = {
        "ask_language", "ask_consent", "ask_name", "ask_id_number", "ask_phone", "ask_category",
        "ask_contribution", "ask_has_employer", "ask_name_matches_archive",
        "ask_paid_before_1995_07", "ask_handbook", "ask_lump_sum_before_1996", "ask_receipts",
        "ask_veteran", "ask_review", "ask_town", "ask_employer_name",
    }  # fmt: skip
    assert keys <= {s.value for s in m.State}
    assert m.question_key(m.State.uploading, "id_card") == "ask_upload_id_card"
    assert m.question_key(m.State.submitted) is None


def test_every_condition_named_in_the_table_exists_on_the_model() -> None:
    named = set()
    for row in m.TABLE:
        for key in ("conditions", "unless"):
            if key in row:
                named.add(row[key])
    assert named == set(m.CONDITIONS)
    assert all(callable(getattr(Step, name)) for name in named)


def test_every_state_is_reachable_in_the_table() -> None:
    reached = {m.State.start}
    for row in m.TABLE:
        reached.add(m.State(row["dest"]))
    assert reached == set(m.State)
