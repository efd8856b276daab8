"""The conversation after the result: sign the notice, rate the service, confirm the online
steps; and the reform's documents on request, in any state.

`dialogs.service` hands an event here first (`handle`); None means "not mine", and the
conversation engine takes it. In the after-result states this module answers every event,
moving the shared machine of `dialogs/machine.py` by its own rows, in the event's one
transaction. The decisions that change the record are the use cases of `aftercare.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from aftercare.documents import KINDS, document_reply, requested_document
from aftercare.service import (
    BAD_LEVELS,
    RATING_LEVELS,
    AftercareConfig,
    NoticeRenderer,
    add_rating_comment,
    decline_rating,
    followup_of,
    latest_case,
    name_matches,
    notice_document,
    online_step_question,
    rating_of,
    record_online_step,
    record_rating,
    sign_notice,
    sign_question,
    signed_copy_document,
)
from dialogs.engine.free_text import masked_words
from dialogs.events import Choice, Command, Event, Text
from dialogs.machine import AFTER_RESULT, State, machine
from dialogs.replies import Msg, Option, Reply
from dialogs.state import ConversationData
from documents.result_notice import render_result_notice

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.settings import Settings
    from cases.crypto import Vault
    from cases.files import FileStore
    from cases.models import Applicant, Case

S = State
MAX_NAME_FAILURES = 3
# Questions whose typed answer is free text: never read as a request for a document.
_FREE_TEXT = frozenset({"ask_name", "ask_id_number", "ask_phone", "ask_signature_name"})
# States where nothing is being asked: a short message naming a document gets it.
_IDLE = frozenset({"start", "submitted", "waiting_for_date", "handed_to_person", "declined"})
_CONFIRM_WORDS = ("确认", "确定", "是", "是的", "对", "同意", "签字", "yes", "y", "ok", "confirm")
_LEVEL_WORDS = {
    "very_satisfied": ("非常满意", "5", "very satisfied"),
    "satisfied": ("满意", "4", "satisfied"),
    "basically_satisfied": ("基本满意", "3", "fairly satisfied"),
    "dissatisfied": ("不满意", "2", "dissatisfied"),
    "very_dissatisfied": ("非常不满意", "1", "very dissatisfied"),
}


@dataclass(frozen=True)
class Deps:
    files: FileStore
    config: AftercareConfig
    render: NoticeRenderer = render_result_notice  # a test may hand in one that fails


@cache
def _deps_for(files_dir: str, max_bytes: int, config: AftercareConfig, vault: Vault) -> Deps:
    from cases.files import FileStore

    return Deps(FileStore(files_dir, max_bytes, vault=vault), config)


def deps_from_settings(settings: Settings | None, vault: Vault | None = None) -> Deps:
    """One file store per process, directory and key (built on first use, not at import);
    encrypted with `vault` (the database's), else the data key of the settings."""
    from app.settings import Settings
    from cases.crypto import load_vault

    s = settings or Settings()
    key = vault or load_vault(s)
    return _deps_for(str(s.files.dir), s.files.max_bytes, AftercareConfig.from_settings(s), key)


def handle(
    session: Session,
    applicant: Applicant,
    data: ConversationData,
    event: Event,
    now: datetime,
    deps: Deps,
) -> tuple[ConversationData, list[Reply]] | None:
    """The replies when this event is the after-result flow's or asks for a document."""
    state = data.state
    if state not in AFTER_RESULT:
        kind = _document_asked(state, event)
        if kind is None:
            return None
        d = data.copy()
        return d, [_document(kind, session, applicant, d, deps)]
    d = data.copy()
    flow = _Flow(session, applicant, d, now, deps)
    flow.dispatch(event)
    return d, flow.replies


def _document_asked(state: str, event: Event) -> str | None:
    if isinstance(event, Choice) and event.id.startswith("doc_"):
        kind = event.id.removeprefix("doc_")
        return kind if kind in KINDS else None
    if not isinstance(event, Text) or state in _FREE_TEXT:
        return None
    asked = requested_document(event.text)
    if asked is None:
        return None
    # In the middle of a question only a message that is nothing but the document's name.
    if state in _IDLE or event.text.strip() in ("服务指南", "申请表", "流程图"):
        return asked
    return None


def _document(
    kind: str, session: Session, applicant: Applicant, d: ConversationData, deps: Deps
) -> Reply:
    case = latest_case(session, applicant.id)
    return document_reply(
        kind,  # type: ignore[arg-type]
        deps.files,
        language=d.language or applicant.language or "zh_CN",
        answers=(case.form if case is not None and case.number else d.answers),
        region=deps.config.region,
        case_number=(case.number or "") if case is not None else "",
    )


class _Flow:
    def __init__(
        self,
        session: Session,
        applicant: Applicant,
        d: ConversationData,
        now: datetime,
        deps: Deps,
    ) -> None:
        self.session, self.applicant, self.d, self.now, self.deps = (
            session,
            applicant,
            d,
            now,
            deps,
        )
        self.replies: list[Reply] = []
        stash = d.answers.get("aftercare")
        self.stash: dict[str, Any] = dict(stash) if isinstance(stash, dict) else {}
        self._case: Case | None = None

    # ---- plumbing ----
    @property
    def case(self) -> Case | None:
        if self._case is None:
            self._case = latest_case(self.session, self.applicant.id)
        return self._case

    def say(self, key: str, **params: Any) -> None:
        self.replies.append(Reply(Msg(key, params)))

    def move(self, trigger: str) -> None:
        """A move of the shared table: an illegal one raises (a bug, not an applicant's
        mistake), so the table stays the one truth the flowchart is drawn from."""
        event = machine().events[trigger]
        moves = event.transitions.get(self.d.state)
        if not moves:
            raise RuntimeError(f"no row {trigger!r} from {self.d.state!r}")
        self.d.state = str(moves[0].dest)

    def save(self) -> None:
        self.d.answers["aftercare"] = dict(self.stash)

    # ---- entry ----
    def dispatch(self, event: Event) -> None:
        try:
            self._dispatch(event)
        finally:
            self.save()

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, Command):
            return self.command(event)
        if isinstance(event, Choice):
            if event.id.startswith("lang:"):
                return self.language(event.id.removeprefix("lang:"))
            if event.id.startswith("doc_") or event.id in ("notice", "signed_copy"):
                return self.document(event.id)
            current = self.question()
            if event.question == S.ask_rating.value and self._already_rated(event):
                return None
            if event.question is not None and event.question != current:
                self.say("aftercare.stale_button")
                return self.ask()
        free_text = (S.ask_signature_name.value, S.ask_rating_comment.value)
        if (
            isinstance(event, Text)
            and self.d.state not in free_text
            and (kind := requested_document(event.text))
        ):
            return self.document(f"doc_{kind}")
        handler = getattr(self, f"on_{self.d.state}")
        return handler(event)

    def question(self) -> str | None:
        return self.d.state if self.d.state.startswith("ask_") else None

    def command(self, event: Command) -> None:
        if event.name in ("start", "status"):
            self.status()
        elif event.name == "help":
            self.say("aftercare.help")
        elif event.name == "language":
            self.replies.append(
                Reply(
                    Msg("aftercare.choose_language"),
                    choices=(
                        Option("lang:zh_CN", Msg("aftercare.language.zh_CN")),
                        Option("lang:en", Msg("aftercare.language.en")),
                    ),
                    expects="choice",
                )
            )
            return None
        else:  # back, cancel, restart: the case is decided, there is nothing to undo here
            self.say("aftercare.no_going_back")
        self.ask()

    def language(self, language: str) -> None:
        if language in ("zh_CN", "en"):
            self.d.language = language
            self.applicant.language = language
        self.ask()

    def status(self) -> None:
        case = self.case
        if case is not None:
            key = f"dialogs.case_status.{case.status}"
            self.say("aftercare.status", case_number=case.number, status=Msg(key))

    def document(self, choice: str) -> None:
        case = self.case
        if choice in ("notice", "signed_copy") and case is not None:
            doc = (
                signed_copy_document(self.session, case, self.deps.files)
                if choice == "signed_copy"
                else None
            ) or notice_document(case, self.deps.files)
            if doc is not None:
                signed = doc.filename.endswith("已签字.pdf")
                key = "aftercare.docs.signed_copy" if signed else "aftercare.docs.notice"
                self.replies.append(Reply(Msg(key), document=doc))
                return None
        kind = choice.removeprefix("doc_")
        if kind in KINDS:
            self.replies.append(_document(kind, self.session, self.applicant, self.d, self.deps))
        if self.d.state != S.finished.value:
            self.ask()
        return None

    # ---- asking ----
    def ask(self) -> None:
        s = self.d.state
        if s == S.ask_signature_name.value:
            self.replies.append(sign_question())
        elif s == S.ask_signature_confirm.value:
            self.replies.append(self._confirm_question())
        elif s == S.ask_rating.value:
            self.replies.append(rating_question())
        elif s == S.ask_rating_comment.value:
            self.replies.append(comment_question())
        elif s == S.ask_online_steps_done.value:
            self.replies.append(online_step_question(str(self.stash.get("online_step"))))
        else:
            self.replies.append(finished_menu())

    def _confirm_question(self) -> Reply:
        case = self.case
        return Reply(
            Msg(
                "aftercare.sign.confirm",
                {
                    "name": self.stash.get("signature_name", ""),
                    "case_number": case.number if case else "",
                },
            ),
            choices=(
                Option("confirm", Msg("aftercare.sign.choice_confirm")),
                Option("retype", Msg("aftercare.sign.choice_retype")),
                Option("notice", Msg("aftercare.sign.choice_read_again")),
            ),
            expects="choice",
            question="ask_signature_confirm",
        )

    # ---- the states ----
    def on_ask_signature_name(self, event: Event) -> None:
        case = self.case
        if case is None or case.status != "notified":
            self.say("aftercare.sign.not_ready")
            return self.status()
        way_out = _way_out(event)
        if way_out is not None:
            return self.hand_over(way_out, event)
        if not isinstance(event, Text) or not event.text.strip():
            return self.ask()
        typed = event.text.strip()[:64]
        if not name_matches(self.session, case, typed) and not _name_like(typed):
            # A question about the result, not a wrong name: never counted against them.
            self.say("aftercare.sign.not_a_name")
            return self.ask()
        if not name_matches(self.session, case, typed):
            self.d.failures += 1
            if self.d.failures >= MAX_NAME_FAILURES:
                self.say("aftercare.sign.name_mismatch_window")
            else:
                self.say("aftercare.sign.name_mismatch")
            return self.ask()
        self.d.failures = 0
        self.stash["signature_name"] = typed
        self.stash["signature_sha"] = case.notice_sha256
        self.move("next")
        self.ask()

    def hand_over(self, kind: str, event: Event) -> None:
        """有异议 or 转人工 at signing: a task for the clerk with the worker's words; the notice
        stays unsigned, and the worker is told what happens next and that they can still sign."""
        from cases import repositories as repo
        from policy.workdays import add_working_days

        case = self.case
        words, hidden = masked_words(event.text) if isinstance(event, Text) else ("", False)
        due = add_working_days(self.now.astimezone(_china()).date(), 1)
        repo.add_staff_task(
            self.session,
            "objection" if kind == "object" else "handover",
            case_id=case.id if case is not None else None,
            applicant_id=self.applicant.id,
            detail={"stage": "signing", "question": words},
        )
        key = "aftercare.sign.objection_taken" if kind == "object" else "aftercare.sign.person"
        self.say(key, due=f"{due.month}月{due.day}日")
        if hidden:
            self.say("aftercare.numbers_hidden")
        return self.ask()

    def on_ask_signature_confirm(self, event: Event) -> None:
        choice = _choice(event)
        if choice == "retype":
            self.move("retype")
            return self.ask()
        if choice != "confirm":
            return self.ask()
        case = self.case
        assert case is not None
        outcome = sign_notice(
            self.session,
            case,
            str(self.stash.get("signature_name", "")),
            self.stash.get("signature_sha"),
            self.deps.files,
            self.deps.config,
            at=self.now,
        )
        if outcome == "notice_changed":
            self.say("aftercare.sign.notice_changed")
            self.move("retype")
            self.document("notice")
            return None
        if outcome != "signed":
            self.say("aftercare.sign.not_ready")
            self.move("retype")
            return None
        self.move("sign")
        doc = signed_copy_document(self.session, case, self.deps.files)
        self.replies.append(
            Reply(Msg("aftercare.sign.done", {"case_number": case.number}), document=doc)
        )
        if rating_of(self.session, case) is not None:  # asked once: a re-signed case
            self.move("skip")
            decline_rating(self.session, case, at=self.now)
            return self.ask()
        self.ask()

    def on_ask_rating(self, event: Event) -> None:
        case = self.case
        assert case is not None
        choice = _choice(event) or _level_from_text(event)
        if choice == "skip":
            decline_rating(self.session, case, at=self.now)
            self.move("skip")
            self.say("aftercare.rating.skipped")
            return self.ask()
        if choice not in RATING_LEVELS:
            # Voluntary: one gentle reminder that it is optional, never a loop of questions.
            self.say("aftercare.rating.optional")
            return self.ask()
        rating = record_rating(self.session, case, choice, self.deps.config, at=self.now)
        if rating is None:  # rated before (another device, a double tap): asked once
            self.say("aftercare.rating.already_rated")
            self.move("skip")
            return self.ask()
        self.stash["rating"] = choice
        task = followup_of(self.session, rating)
        if choice in BAD_LEVELS and task is not None and task.due_at is not None:
            due = task.due_at.astimezone(_china()).strftime("%Y-%m-%d")
            self.say("aftercare.rating.sorry", due_date=due)
        else:
            self.say("aftercare.rating.thanks")
        self.move("rate")
        self.ask()

    def on_ask_rating_comment(self, event: Event) -> None:
        case = self.case
        assert case is not None
        if isinstance(event, Text) and event.text.strip():
            add_rating_comment(self.session, case, event.text, at=self.now)
            self.say("aftercare.rating.comment_thanks")
            if masked_words(event.text)[1]:
                self.say("aftercare.numbers_hidden")
            self.move("next")
            return self.ask()
        if _choice(event) == "skip":
            self.move("skip")
            return self.ask()
        self.ask()

    def on_ask_online_steps_done(self, event: Event) -> None:
        case = self.case
        assert case is not None
        choice = _choice(event) or _yes_no(event)
        if choice not in ("done", "not_yet"):
            return self.ask()
        step = str(self.stash.get("online_step"))
        record_online_step(self.session, case, step, choice == "done", at=self.now)
        if choice == "done":
            self.say("aftercare.online.well_done")
        else:
            from aftercare.region import region_texts
            from locales import Translator

            texts = region_texts(Translator(self.d.language or "zh_CN"), self.deps.config.region)
            steps = texts.housing_fund if step == "housing_fund" else texts.medical
            self.say("aftercare.online.help", steps=steps)
        pending = [s for s in self.stash.get("online_steps", []) if s != step]
        self.stash["online_steps"] = pending
        if pending:
            self.stash["online_step"] = pending[0]
            self.move("next_step")
        else:
            self.stash.pop("online_step", None)
            self.move("next")
        self.ask()

    def on_finished(self, event: Event) -> None:
        if self._already_rated(event):
            return None
        self.say("aftercare.finished")
        self.ask()

    def _already_rated(self, event: Event) -> bool:
        """A second rating (an old rating button, "满意" typed later) is answered politely,
        and the first one stands."""
        level = _choice(event) if isinstance(event, Choice) else _level_from_text(event)
        case = self.case
        if level not in RATING_LEVELS or case is None:
            return False
        if self.d.state == S.ask_rating.value:
            return False
        rating = rating_of(self.session, case)
        if rating is None or rating.level is None:  # never rated, or declined: nothing to say
            return False
        self.say("aftercare.rating.already_rated")
        self.ask()
        return True


def rating_question() -> Reply:
    options = tuple(
        Option(level, Msg(f"aftercare.rating.level.{level}")) for level in RATING_LEVELS
    )
    return Reply(
        Msg("aftercare.rating.ask"),
        choices=(*options, Option("skip", Msg("aftercare.rating.choice_skip"))),
        expects="choice",
        question="ask_rating",
    )


def comment_question() -> Reply:
    return Reply(
        Msg("aftercare.rating.ask_comment"),
        choices=(Option("skip", Msg("aftercare.rating.choice_no_comment")),),
        expects="text",
        question="ask_rating_comment",
    )


def finished_menu() -> Reply:
    return Reply(
        Msg("aftercare.menu"),
        choices=(
            Option("signed_copy", Msg("aftercare.docs.choice_signed_copy")),
            Option("doc_guide", Msg("aftercare.docs.choice_guide")),
            Option("doc_form", Msg("aftercare.docs.choice_form")),
            Option("doc_flowchart", Msg("aftercare.docs.choice_flowchart")),
        ),
        expects="choice",
        # Versions the buttons like any question, so channels can map a typed number to them;
        # document choices are served in any state, so this menu never goes stale.
        question="finished",
    )


def _choice(event: Event) -> str | None:
    if isinstance(event, Choice):
        return event.id
    if isinstance(event, Text) and event.text.strip().lower() in _CONFIRM_WORDS:
        return "confirm"
    return None


def _yes_no(event: Event) -> str | None:
    if not isinstance(event, Text):
        return None
    t = event.text.strip().lower()
    if t in ("办好了", "已办", "完成了", "好了", "done", *_CONFIRM_WORDS):
        return "done"
    if t in ("没有", "还没", "还没有", "没办", "不会", "no", "not yet"):
        return "not_yet"
    return None


def _level_from_text(event: Event) -> str | None:
    if not isinstance(event, Text):
        return None
    t = event.text.strip().lower()
    for level, words in _LEVEL_WORDS.items():
        if t in words:
            return level
    return None


def _china() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


# 有异议 / 转人工 at signing, tapped or typed: words that never mean a name.
_OBJECT_WORDS = ("有异议", "异议", "不同意", "不认可", "结果不对", "算错", "少了", "投诉")
_PERSON_WORDS = ("转人工", "人工", "找人", "工作人员", "客服", "打电话")


def _way_out(event: Event) -> str | None:
    if isinstance(event, Choice) and event.id in ("object", "person"):
        return event.id
    if not isinstance(event, Text):
        return None
    text = event.text.strip()
    if any(w in text for w in _OBJECT_WORDS):
        return "object"
    if any(w in text for w in _PERSON_WORDS):
        return "person"
    return None


def _name_like(text: str) -> bool:
    """Could be someone's name (2-20 characters, no question): only then is a mismatch a
    wrong name rather than something else the worker wanted to say."""
    if not 2 <= len(text) <= 20:
        return False
    return not any(ch in text for ch in "?？，,。！!") and not any(
        w in text for w in ("怎么", "为什么", "什么", "吗", "看不懂", "不懂", "多少")
    )
