"""The conversation engine: one pure function from (stored state, event, context) to
(new state, replies, commands).

No I/O here: the service loads the conversation, calls `handle`, applies the commands and saves
the new state in one transaction. The shared `transitions` machine (dialogs/machine.py) decides
every move of the table; this module reads answers, validates them and says what to reply.

Every question reply carries `question=<stable key>`, `expects` and choices with stable ids, so a
channel can version its buttons; a button from an older question is a stale button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from dialogs import answers as read
from dialogs.events import (
    Choice,
    Command,
    Contact,
    Event,
    Files,
    StoredFile,
    Text,
    Unsupported,
)
from dialogs.machine import (
    AFTER_SUBMISSION,
    EDITABLE,
    State,
    question_key,
    set_state,
    thread_model,
)
from dialogs.replies import Expects, Msg, Option, Reply
from dialogs.state import (
    AddPages,
    ClearMaterial,
    Context,
    ConversationData,
    DiscardDraft,
    DomainCommand,
    HandToPerson,
    MarkMaterialLost,
    RecordConsent,
    SaveIdentity,
    SetLanguage,
    StoreReminder,
    SubmitCase,
    SupplementCase,
    WithdrawConsent,
)

# The case number is known only once the service has written the case; a reply that names it
# carries this value, which the service replaces (see service.py).
CASE_NUMBER = "\x00case_number"
CONSENT_VERSION = "2026-11-v1"
CONSENT_SCOPE = ("id_number", "id_card_photos", "social_security_card", "phone", "documents")
MAX_FAILURES = 3
LANGUAGES = ("zh_CN", "en")

_YES_NO = ("yes", "no")
_HAVE_LOST = ("have", "lost")
# Question -> the answers key it fills (the Answers field names of policy/materials).
_ANSWER_KEY: dict[str, str] = {
    "ask_language": "language",
    "ask_consent": "consent",
    "ask_name": "name",
    "ask_id_number": "id_number",
    "ask_phone": "phone",
    "ask_category": "category",
    "ask_retirement_type": "retirement_type",
    "ask_contribution": "contribution_months",
    "ask_has_employer": "has_employer",
    "ask_name_matches_archive": "name_matches_archive",
    "ask_paid_before_1995_07": "paid_before_1995_07",
    "ask_handbook": "handbook",
    "ask_lump_sum_before_1996": "lump_sum_before_1996",
    "ask_receipts": "receipts",
    "ask_veteran": "veteran",
}
_BOOL_QUESTIONS = frozenset(
    {
        "ask_has_employer",
        "ask_name_matches_archive",
        "ask_paid_before_1995_07",
        "ask_lump_sum_before_1996",
        "ask_veteran",
    }
)
# Beyond policy/materials' own dependents: answers that another answer invalidates.
_MORE_DEPENDENTS: dict[str, tuple[str, ...]] = {"ask_id_number": ("ask_category",)}
# Materials whose pages no longer fit after an answer changes (the stamp depends on employer).
_EDIT_CLEARS: dict[str, tuple[str, ...]] = {"ask_has_employer": ("application_form",)}
# Answers whose change makes the pre-check verdict worth showing again.
_VERDICT_INPUTS = frozenset({"ask_id_number", "ask_category", "ask_contribution"})
_MATERIAL_QUESTIONS = frozenset(
    {"ask_has_employer", "ask_name_matches_archive", "ask_handbook", "ask_receipts"}
    | {"ask_paid_before_1995_07", "ask_lump_sum_before_1996", "ask_veteran"}
)
_FAQ_MIN_CONFIDENCE = 0.5


class Result(NamedTuple):
    data: ConversationData
    replies: list[Reply]
    commands: list[DomainCommand]


@dataclass
class Step:
    """The model the shared machine moves: one per worker thread, re-pointed per event."""

    d: ConversationData = field(default_factory=ConversationData)
    ctx: Context | None = None
    state: Any = None

    # ---- conditions named in machine.TABLE ----
    def is_woman(self) -> bool:
        return (self.d.answers.get("id_number") or {}).get("sex") == "female"

    def needs_person_route(self) -> bool:
        return self.d.answers.get("retirement_type") in ("illness_disability", "special_work_type")

    def before_statutory_age(self) -> bool:
        a = _assessment(self.d, self.ctx)
        return a is not None and not a.reached_statutory_age

    def continues_early(self) -> bool:
        return bool(self.d.answers.get("early"))

    def paid_before_1995_07(self) -> bool:
        return self.d.answers.get("paid_before_1995_07") is True

    def made_lump_sum(self) -> bool:
        return self.d.answers.get("lump_sum_before_1996") is True

    def materials_pending(self) -> bool:
        return bool(_pending(self.d))

    def returned_for_correction(self) -> bool:
        case = self.ctx.case if self.ctx else None
        return case is not None and case.status == "returned_for_correction"


class _Out:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.commands: list[DomainCommand] = []

    def say(self, key: str, **params: Any) -> None:
        self.replies.append(Reply(Msg(key, params)))

    def do(self, command: DomainCommand) -> None:
        self.commands.append(command)


def handle(data: ConversationData, event: Event, ctx: Context) -> Result:
    """One inbound event: the new conversation data, the replies, the commands to apply."""
    d = data.copy()
    out = _Out()
    step = thread_model(Step)
    step.d, step.ctx = d, ctx
    set_state(step, State(d.state))
    _Handler(d, ctx, out, step).dispatch(event)
    d.state = State(step.state).value
    step.d, step.ctx = ConversationData(), None  # hold no personal data between events
    return Result(d, out.replies, out.commands)


# ---- policy glue -----------------------------------------------------------------------------


def _policy_answers(d: ConversationData) -> Any:
    from policy.materials import ANSWER_FIELDS, Answers

    a = d.answers
    values = {k: a.get(k) for k in ANSWER_FIELDS if k in a}
    values["illness_disability"] = a.get("retirement_type") == "illness_disability" or None
    return Answers(**values)


def _requirements(d: ConversationData) -> tuple[Any, ...]:
    return _checklist(_policy_answers(d))


@lru_cache(maxsize=1024)
def _checklist(answers: Any) -> tuple[Any, ...]:
    # A handful of answer combinations exist; each checklist is computed once per process.
    from policy.materials import checklist

    return checklist(answers)


def _requirement(d: ConversationData, code: str) -> Any:
    return next((r for r in _requirements(d) if r.code == code), None)


def _pending(d: ConversationData) -> list[str]:
    if d.state == State.supplementing or d.supplement:
        codes = d.supplement
    else:
        codes = [r.code for r in _requirements(d) if not r.lost]
    return [c for c in codes if d.materials.get(c, {}).get("status", "pending") == "pending"]


def _assessment(d: ConversationData, ctx: Context | None) -> Any:
    from policy.retirement import assess

    ident = d.answers.get("id_number")
    category = d.answers.get("category")
    if not ident or not category or ctx is None:
        return None
    months = d.answers.get("contribution_months")
    return assess(category, date.fromisoformat(ident["birth_date"]), ctx.today, months)


def _dependents(question: str) -> tuple[str, ...]:
    from policy.materials import QUESTIONS, dependents

    own = dependents(question) if question in QUESTIONS else ()
    return own + _MORE_DEPENDENTS.get(question, ())


# ---- the handler -----------------------------------------------------------------------------


class _Handler:
    def __init__(self, d: ConversationData, ctx: Context, out: _Out, step: Step) -> None:
        self.d, self.ctx, self.out, self.step = d, ctx, out, step
        self.answered: str | None = None  # the question answered by this event

    @property
    def state(self) -> State:
        return State(self.step.state)

    def trigger(self, name: str) -> None:
        self.step.trigger(name)  # type: ignore[attr-defined]  # added by the machine
        self.d.state = self.state.value

    def jump(self, state: State) -> None:
        set_state(self.step, state)
        self.d.state = state.value

    # ---- entry ----
    def dispatch(self, event: Event) -> None:
        if isinstance(event, Command):
            return self.command(event)
        if self.state in (State.start, State.cancelled):
            return self.begin()
        if isinstance(event, Unsupported):
            self.out.say("dialogs.unsupported")
            return self.ask()
        if self.state is State.declined:
            return self.declined(event)
        if self.state is State.waiting_for_date:
            return self.idle(event, "dialogs.waiting")
        if self.state is State.handed_to_person:
            return self.idle(event, "dialogs.with_person")
        if self.state is State.submitted:
            return self.submitted(event)
        return self.answer(event)

    # ---- commands that work anywhere ----
    def command(self, event: Command) -> None:
        name = event.name
        s = self.state
        if name == "start":
            if s in (State.start, State.cancelled):
                return self.begin()
            if s is State.declined:
                self.trigger("reconsider")
                return self.ask()
            if s in AFTER_SUBMISSION or event.argument:
                return self.status(event.argument)
            self.out.say("dialogs.welcome_back")
            return self.ask()
        if name == "help":
            self.out.say("dialogs.help")
            return self.ask()
        if name == "status":
            return self.status(event.argument)
        if name == "language":
            if s in (State.start, State.cancelled):
                return self.begin()
            if s is not State.ask_language:
                self.d.resume = s.value
                self.jump(State.ask_language)
            return self.ask()
        if name == "back":
            return self.back()
        if name == "cancel":
            if s in AFTER_SUBMISSION:
                self.out.say("dialogs.cancel_after_submission")
                return self.ask()
            if s in (State.start, State.cancelled, State.declined):
                self.out.say("dialogs.nothing_to_cancel")
                return None
            if s is not State.confirming_cancel:
                self.d.resume = s.value
                self.trigger("cancel")
            return self.ask()
        if name == "restart":
            if s in AFTER_SUBMISSION:
                self.out.say("dialogs.restart_after_submission")
                return self.ask()
            self.out.do(DiscardDraft())
            self._reset()
            return self.begin()
        return self.ask()

    def begin(self) -> None:
        self._reset()
        self.jump(State.start)
        self.trigger("begin")
        self.out.say("dialogs.welcome")
        self.ask()

    def _reset(self) -> None:
        language = self.d.language
        fresh = ConversationData(language=language)
        for name in fresh.__dataclass_fields__:
            setattr(self.d, name, getattr(fresh, name))

    def back(self) -> None:
        if self.state in AFTER_SUBMISSION or not self.d.history or self.d.editing:
            self.out.say("dialogs.back_unavailable")
            return self.ask()
        previous = self.d.history.pop()
        self._clear(previous)
        if previous.startswith("ask_upload_"):
            self.d.material = previous.removeprefix("ask_upload_")
            self.jump(State.uploading)
        else:
            self.jump(State(previous))
        self.d.failures = 0
        self.ask()

    def _clear(self, question: str) -> None:
        """Forget an answer (and what depends on it) so that it is asked again."""
        if question.startswith("ask_upload_"):
            code = question.removeprefix("ask_upload_")
            self.d.materials[code] = {"pages": 0, "status": "pending"}
            self.out.do(ClearMaterial(code))
            return
        for q in (question, *_dependents(question)):
            self.d.answers.pop(_ANSWER_KEY[q], None)
            if q in self.d.history:
                self.d.history.remove(q)
        if question == "ask_contribution":
            self.d.answers.pop("early", None)
        for code in _EDIT_CLEARS.get(question, ()):
            if code in self.d.materials:
                self.d.materials[code] = {"pages": 0, "status": "pending"}
                self.out.do(ClearMaterial(code))

    # ---- asking ----
    def question(self) -> str | None:
        return question_key(self.state, self.d.material)

    def ask(self) -> None:
        """Send the current question (or the state's standing message)."""
        s = self.state
        q = self.question()
        if s is State.submitted:
            return None
        if q is None:
            standing = {
                State.declined: "dialogs.declined_again",
                State.waiting_for_date: "dialogs.waiting",
                State.handed_to_person: "dialogs.with_person",
            }.get(s)
            if standing:
                self.out.say(standing)
            return None
        self.out.replies.append(self._question_reply(q))

    def _choices(self, q: str) -> tuple[tuple[str, ...], Expects]:
        s = self.state
        if q == "ask_language":
            return LANGUAGES, "choice"
        if q == "ask_consent":
            return ("agree", "decline"), "choice"
        if q in ("ask_name", "ask_id_number"):
            return (), "text"
        if q == "ask_phone":
            return (), "contact"
        if q == "ask_category":
            return ("female_cadre", "female_worker"), "choice"
        if q == "ask_retirement_type":
            return ("normal", "illness_disability", "special_work_type"), "choice"
        if q == "ask_contribution":
            return ("unknown",), "text"
        if q == "ask_reminder":
            early = ("continue",) if self._may_retire_early() else ()
            return ("yes", "no", *early), "choice"
        if q in ("ask_handbook", "ask_receipts"):
            return _HAVE_LOST, "choice"
        if q in _BOOL_QUESTIONS or q == "ask_cancel":
            return _YES_NO, "choice"
        if q == "ask_review":
            return ("submit", "edit"), "choice"
        if q == "ask_edit":
            ids = [e.value for e in EDITABLE if _ANSWER_KEY[e.value] in self.d.answers]
            ids += [f"ask_upload_{c}" for c, m in self.d.materials.items() if m["pages"]]
            return (*ids, "review"), "choice"
        if s in (State.uploading, State.supplementing):
            req = _requirement(self.d, self.d.material or "")
            lost = ("lost",) if req is not None and req.lost_allowed else ()
            later = ("later",) if s is State.uploading else ()
            return ("done", *lost, *later), "file"
        return (), "none"

    def _question_reply(self, q: str) -> Reply:
        ids, expects = self._choices(q)
        if self.d.failures >= MAX_FAILURES and expects != "none":
            ids = (*ids, "person")
        params: dict[str, Any] = {}
        if q.startswith("ask_upload_"):
            code = q.removeprefix("ask_upload_")
            pages = self.d.materials.get(code, {}).get("pages", 0)
            params = {"pages": pages}
        elif q == "ask_review":
            params = {"summary": self._summary(), "advisory": Msg("advisory")}
        options = tuple(Option(i, Msg(_label_key(i))) for i in ids)
        return Reply(Msg(f"dialogs.{q}", params), options, expects, question=q)

    def _summary(self) -> list[Msg]:
        a = self.d.answers
        lines: list[Msg] = [Msg("dialogs.summary.name", {"value": a.get("name", "")})]
        ident = a.get("id_number") or {}
        lines.append(Msg("dialogs.summary.id_number", {"value": ident.get("masked", "")}))
        lines.append(Msg("dialogs.summary.phone", {"value": a.get("phone", "")}))
        if (cat := a.get("category")) and cat != "male":  # only women's post is to be confirmed
            lines.append(Msg("dialogs.summary.category", {"value": Msg(_label_key(cat))}))
        months = a.get("contribution_months")
        value = (
            Msg("dialogs.summary.months", {"years": months // 12, "months": months % 12})
            if isinstance(months, int)
            else Msg("dialogs.choice.unknown")
        )
        lines.append(Msg("dialogs.summary.contribution", {"value": value}))
        for q in _BOOL_QUESTIONS | {"ask_handbook", "ask_receipts"}:
            key = _ANSWER_KEY[q]
            if key in a:
                v = a[key]
                choice = ("yes" if v else "no") if isinstance(v, bool) else v
                lines.append(Msg(f"dialogs.summary.{key}", {"value": Msg(_label_key(choice))}))
        lines.sort(key=lambda m: _SUMMARY_ORDER.index(m.key))
        for req in _requirements(self.d):
            m = self.d.materials.get(req.code, {})
            if m.get("status") == "lost" or req.lost:
                lines.append(Msg("dialogs.summary.material_lost", {"name": Msg(req.name_key)}))
            else:
                lines.append(
                    Msg(
                        "dialogs.summary.material",
                        {"name": Msg(req.name_key), "pages": m.get("pages", 0)},
                    )
                )
        return lines

    # ---- answering the current question ----
    def answer(self, event: Event) -> None:
        q = self.question()
        if q is None:  # a state without a question: nothing to answer
            return self.ask()
        if isinstance(event, Choice) and event.question is not None and event.question != q:
            self.out.say("dialogs.stale_button")
            return self.ask()
        if isinstance(event, Choice) and event.id == "person":
            return self.hand_over("asked", q)
        if isinstance(event, Files) and not q.startswith("ask_upload_"):
            self.out.say("dialogs.hint.text_expected")
            return self.ask()
        if isinstance(event, Contact) and q != "ask_phone":
            self.out.say("dialogs.hint.contact_not_needed")
            return self.ask()
        if isinstance(event, Text):
            text = event.text.strip()
            if not text:
                self.out.say("dialogs.hint.empty")
                return self.ask()
            if len(text) > read.MAX_TEXT:
                return self.fail("dialogs.hint.too_long", max=read.MAX_TEXT)
        if q.startswith("ask_upload_"):
            return self.upload(event, q.removeprefix("ask_upload_"))
        ids, expects = self._choices(q)
        value: Any = None
        if isinstance(event, Choice):
            if event.id not in ids:
                return self.fail(_TEXT_HINTS.get(q, "dialogs.hint.choose"))
            value = event.id
        elif isinstance(event, Contact):
            value = event.phone
        elif isinstance(event, Text):
            text = event.text.strip()
            if expects == "choice" or ids:
                value = read.interpret_choice(text, list(ids))
                numbered = expects == "choice" and text.isdigit()
                if value is None and numbered and 1 <= int(text) <= len(ids):
                    value = ids[int(text) - 1]
            if value is None and expects in ("text", "contact"):
                if q == "ask_name" and self.faq(text, strict=True):
                    return None
                # A question typed where a number was asked ("公积金怎么取?") is answered;
                # anything that could be the number is read as one (and explained if wrong).
                if q != "ask_name" and not _could_answer(q, text) and self.faq(text):
                    return None
                value = text
            if value is None:
                if self.faq(text):
                    return None
                return self.fail("dialogs.hint.choose")
        self.accept(q, value)

    def faq(self, text: str, strict: bool = False) -> bool:
        """Answer a question asked in free text, then repeat the current question."""
        module = read.nlu()
        if module is None:
            return False
        intent = module.classify(text)
        if intent.name == "unknown" or intent.confidence < _FAQ_MIN_CONFIDENCE:
            return False
        # A name is short and free: only a clear question (a known word of two characters or
        # more, e.g. 公积金, 材料) is taken as one; "张" alone is a surname, not 涨 (a raise).
        if strict and (intent.confidence < 0.8 or not any(len(k) > 1 for k in intent.keywords)):
            return False
        if intent.name == "cancel":
            self.command(Command("cancel"))
            return True
        if intent.name == "progress":
            self.status("")
            return True
        if intent.name == "human_agent":
            self.d.failures = max(self.d.failures, MAX_FAILURES)
        self.out.say(module.faq_key(intent))
        self.ask()
        return True

    def fail(self, hint: str, **params: Any) -> None:
        self.d.failures += 1
        self.out.say(hint, **params)
        if self.d.failures >= MAX_FAILURES:
            self.out.say("dialogs.offer_person")
        self.ask()

    def hand_over(self, reason: str, question: str | None) -> None:
        self.out.do(HandToPerson(reason, question))
        self.trigger("handover")
        self.d.failures = 0
        self.out.say("dialogs.handed_over")

    def accept(self, q: str, value: Any) -> None:
        """Validate and record one answer, then move on."""
        a = self.d.answers
        if q == "ask_language":
            self.d.language = value
            a["language"] = value
            self.out.do(SetLanguage(value))
            if self.d.resume:
                resume = State(self.d.resume)
                self.d.resume = None
                self.out.say("dialogs.language_set")
                self.jump(resume)
                return self.ask()
        elif q == "ask_consent":
            if value == "decline":
                self.trigger("decline")
                self.out.say("dialogs.declined")
                return None
            a["consent"] = CONSENT_VERSION
            self.out.do(RecordConsent(CONSENT_VERSION, CONSENT_SCOPE))
        elif q == "ask_name":
            name = read.parse_name(value)
            if name is None:
                return self.fail("dialogs.hint.name")
            a["name"] = name
            self.out.do(SaveIdentity(name=name))
        elif q == "ask_id_number":
            if not self._id_number(value):
                return None
        elif q == "ask_phone":
            phone = read.parse_phone(value)
            if phone is None:
                return self.fail("dialogs.hint.phone")
            a["phone"] = read.mask_phone(phone)
            self.out.do(SaveIdentity(phone=phone))
        elif q == "ask_category":
            a["category"] = value
        elif q == "ask_retirement_type":
            a["retirement_type"] = value
            if value != "normal":
                from policy.retirement import special_route

                self.out.say(special_route(value).explanation_key)
                self.out.do(HandToPerson(value, q))
        elif q == "ask_contribution":
            months = read.parse_contribution(value) if value != "unknown" else "unknown"
            if months is None:
                return self.fail("dialogs.hint.contribution")
            a["contribution_months"] = None if months == "unknown" else months
        elif q == "ask_reminder":
            return self.reminder(value)
        elif q == "ask_cancel":
            return self.cancel(value)
        elif q == "ask_review":
            return self.review(value)
        elif q == "ask_edit":
            return self.edit(value)
        elif q in _BOOL_QUESTIONS:
            a[_ANSWER_KEY[q]] = value == "yes"
        elif q in ("ask_handbook", "ask_receipts"):
            a[_ANSWER_KEY[q]] = value
        self.d.failures = 0
        self.answered = q
        if q not in self.d.history and q not in ("ask_language", "ask_consent"):
            self.d.history.append(q)
        self.forward()

    def _id_number(self, raw: str) -> bool:
        from policy.idcard import IdNumberError, parse_id_number

        try:
            number = parse_id_number(raw, today=self.ctx.today)
        except IdNumberError as err:
            self.fail(err.key)
            return False
        old = (self.d.answers.get("id_number") or {}).get("sex")
        self.d.answers["id_number"] = {
            "masked": number.masked,
            "birth_date": number.birth_date.isoformat(),
            "sex": number.sex,
        }
        if number.converted_from_15:
            self.out.say("idcard.converted_from_15")
        if number.sex == "male":
            self.d.answers["category"] = "male"
        elif old != "female":
            self.d.answers.pop("category", None)
        self.out.do(SaveIdentity(id_number=number.number))
        return True

    def forward(self) -> None:
        """Move to the next question that still needs an answer, saying what passing a
        milestone means (the verdict, the checklist) on the way."""
        for _ in range(len(State) * 2):
            source = self.state
            self.trigger("next")
            if source is State.ask_contribution and self.answered in _VERDICT_INPUTS:
                self.verdict()
            if source is State.ask_veteran and (
                not self.d.editing or self.answered in _MATERIAL_QUESTIONS
            ):
                self.checklist()
            s = self.state
            if s is State.handed_to_person:
                self.out.say("dialogs.handed_over")
                return None
            if s in (State.uploading, State.supplementing):
                self._sync_materials()
                pending = _pending(self.d)
                if pending:
                    self.d.material = pending[0]
                    return self.ask()
                continue
            if s is State.ask_review:
                self._sync_materials()
                self.d.editing = False
                self.d.material = None
                return self.ask()
            if s is State.submitted:
                return self.supplement_done()
            key = _ANSWER_KEY.get(s.value)
            if key is not None and key in self.d.answers:
                continue  # answered before: skipped (only cleared answers are asked again)
            return self.ask()
        raise RuntimeError("conversation table loops")  # a table bug, caught by the tests

    def verdict(self) -> None:
        a = _assessment(self.d, self.ctx)
        if a is None:
            return
        years, months = a.statutory_age
        notes = [Msg(f"retirement.note.{n}", _note_params(n, a)) for n in a.notes]
        key = "dialogs.verdict.reached" if a.reached_statutory_age else "dialogs.verdict.not_yet"
        self.out.say(
            key,
            years=years,
            months=months,
            month=str(a.statutory_retirement_month),
            left=a.months_until_statutory,
            earliest=str(a.earliest_flexible_month),
            latest=str(a.latest_flexible_month),
            notes=notes,
            advisory=Msg("advisory"),
        )

    def _may_retire_early(self) -> bool:
        a = _assessment(self.d, self.ctx)
        if a is None or self.ctx is None:
            return False
        from policy.retirement import YearMonth

        return (
            YearMonth.of(self.ctx.today) >= a.earliest_flexible_month
            and a.contribution_shortfall_months == 0
        )

    def reminder(self, value: str) -> None:
        if value == "continue":
            self.d.answers["early"] = True
            return self.forward()
        a = _assessment(self.d, self.ctx)
        if value == "yes" and a is not None:
            first = date(a.statutory_retirement_month.year, a.statutory_retirement_month.month, 1)
            due = date.fromordinal(max(first.toordinal() - self.ctx.reminder_days_before, 1))
            due = max(due, self.ctx.today)
            self.out.do(
                StoreReminder(due, "statutory_month", {"month": str(a.statutory_retirement_month)})
            )
            self.out.say("dialogs.reminder_stored", due=due.isoformat())
        else:
            self.out.say("dialogs.reminder_declined")
        self.trigger("next")

    def checklist(self) -> None:
        lines = []
        for req in _requirements(self.d):
            key = "dialogs.checklist.lost" if req.lost else "dialogs.checklist.line"
            lines.append(Msg(key, {"name": Msg(req.name_key), "reason": Msg(req.reason_key)}))
        self.out.say("dialogs.checklist.intro", lines=lines)

    def _sync_materials(self) -> None:
        """Bring the upload list in line with the checklist (answers may have changed)."""
        if self.state is State.supplementing:
            return
        reqs = {r.code: r for r in _requirements(self.d)}
        for code in list(self.d.materials):
            if code not in reqs:
                del self.d.materials[code]
                self.out.do(ClearMaterial(code))
        for code, req in reqs.items():
            m = self.d.materials.setdefault(code, {"pages": 0, "status": "pending"})
            if req.lost and m["status"] != "lost":
                if m["pages"]:
                    self.out.do(ClearMaterial(code))
                self.d.materials[code] = {"pages": 0, "status": "lost"}
                self.out.do(MarkMaterialLost(code))
            elif not req.lost and m["status"] == "lost":
                self.d.materials[code] = {"pages": 0, "status": "pending"}
                self.out.do(ClearMaterial(code))

    # ---- uploads ----
    def upload(self, event: Event, code: str) -> None:
        req = _requirement(self.d, code)
        min_pages = req.min_pages if req else 1
        max_pages = req.max_pages if req else 10
        m = self.d.materials.setdefault(code, {"pages": 0, "status": "pending"})
        choice: str | None = None
        if isinstance(event, Choice):
            choice = event.id
        elif isinstance(event, Text):
            ids, _ = self._choices(f"ask_upload_{code}")
            choice = read.interpret_choice(event.text, list(ids))
            if choice is None:
                if self.faq(event.text.strip()):
                    return None
                return self.fail("dialogs.hint.file_expected")
        elif isinstance(event, Contact):
            return self.fail("dialogs.hint.file_expected")
        if isinstance(event, Files):
            return self.pages(event, code, m, max_pages)
        ids, _ = self._choices(f"ask_upload_{code}")
        if choice not in ids:
            return self.fail("dialogs.hint.choose")
        if choice == "later":
            self.out.say("dialogs.paused")
            return None
        if choice == "lost":
            self.d.materials[code] = {"pages": 0, "status": "lost"}
            if m["pages"]:
                self.out.do(ClearMaterial(code))
            self.out.do(MarkMaterialLost(code))
            self.out.say("dialogs.marked_lost", name=Msg(f"material.{code}.name"))
            return self._material_done(code)
        if m["pages"] < min_pages:  # done, too early
            return self.fail("dialogs.hint.need_pages", missing=min_pages - m["pages"])
        m["status"] = "ok"
        self._material_done(code)

    def pages(self, event: Files, code: str, m: dict[str, Any], max_pages: int) -> None:
        seen: list[str] = m.setdefault("hashes", [])
        good: list[StoredFile] = []
        too_many = duplicate = False
        for f in event.files:
            if f.problem:
                self.out.say(f"dialogs.retake.{_problem_key(f.problem)}")
            elif f.sha256 in m.get("rejected", ()):
                self.out.say("dialogs.hint.rejected_page_again")
            elif f.sha256 in seen or any(g.sha256 == f.sha256 for g in good):
                duplicate = True  # the same photo twice is one page (front twice, no back)
            elif m["pages"] + len(good) < max_pages:
                good.append(f)
            else:
                too_many = True
        if duplicate:
            self.out.say("dialogs.hint.duplicate_page")
        if too_many:
            self.out.say("dialogs.hint.too_many_pages", max=max_pages)
        if good:
            m["pages"] += len(good)
            seen.extend(g.sha256 for g in good)
            self.out.do(AddPages(code, tuple(good)))
            self.out.say(
                "dialogs.pages_received", count=m["pages"], name=Msg(f"material.{code}.name")
            )
            self.d.failures = 0
        elif not event.files:
            return self.fail("dialogs.hint.file_expected")
        if m["pages"] >= max_pages:  # nothing more this material can take: move on
            m["status"] = "ok"
            return self._material_done(code)
        self.ask()

    def _material_done(self, code: str) -> None:
        self.d.failures = 0
        key = f"ask_upload_{code}"
        if key not in self.d.history and self.state is State.uploading:
            self.d.history.append(key)
        self.forward()

    # ---- review, edit, cancel ----
    def review(self, value: str) -> None:
        if value == "edit":
            self.trigger("edit")
            return self.ask()
        form = self._form()
        self.out.do(SubmitCase(form))
        self.trigger("submit")
        self.d.history.clear()
        self.out.say("dialogs.submitted", case_number=CASE_NUMBER, advisory=Msg("advisory"))

    def _form(self) -> dict[str, Any]:
        a = self.d.answers
        form = {k: v for k, v in a.items() if k not in ("consent", "language")}
        form["materials"] = {c: dict(m) for c, m in self.d.materials.items()}
        return form

    def edit(self, value: str) -> None:
        if value == "review":
            self.trigger("next")
            return self.ask()
        self._clear(value)
        self.d.editing = True
        if value.startswith("ask_upload_"):
            self.d.material = value.removeprefix("ask_upload_")
            self.jump(State.uploading)
        else:
            self.jump(State(value))
        self.ask()

    def cancel(self, value: str) -> None:
        resume = State(self.d.resume or State.ask_name)
        self.d.resume = None
        if value == "yes":
            self.out.do(DiscardDraft())
            self.out.do(WithdrawConsent())
            self.trigger("confirm")
            self._reset()
            self.out.say("dialogs.cancelled")
            return None
        self.jump(resume)
        self.ask()

    # ---- states without a question ----
    def declined(self, event: Event) -> None:
        if (isinstance(event, Choice) and event.id == "agree") or (
            isinstance(event, Text) and read.interpret_choice(event.text, ["agree"]) == "agree"
        ):
            self.trigger("reconsider")
            return self.accept("ask_consent", "agree")
        self.out.say("dialogs.declined_again")

    def idle(self, event: Event, standing: str) -> None:
        if _readable(event) and self.faq(event.text.strip()):  # type: ignore[union-attr]
            return None
        self.out.say(standing)

    def status(self, argument: str) -> None:
        case = self.ctx.case
        if argument and (case is None or case.number != argument.strip()):
            self.out.say("dialogs.case_not_found")
            return self.ask()
        if self.state in AFTER_SUBMISSION and case is not None:
            items = [
                Msg(
                    "dialogs.status.item",
                    {
                        "item": Msg(f"item.{i.code}.name"),
                        "status": Msg(_item_status_key(i.status)),
                    },
                )
                for i in case.items
            ]
            self.out.say(
                "dialogs.status.case",
                case_number=case.number,
                status=Msg(_case_status_key(case.status)),
                items=items or [Msg("dialogs.status.no_items")],
            )
            if self.state is State.submitted and self.step.returned_for_correction():
                return self.reopen()
            return self.ask()
        if self.state in AFTER_SUBMISSION:  # the record is not readable: say what we know
            self.out.say(_case_status_key("submitted"))
            return self.ask()
        done = sum(1 for m in self.d.materials.values() if m["status"] in ("ok", "lost"))
        self.out.say("dialogs.status.draft", done=done, total=len(self.d.materials))
        self.ask()

    def submitted(self, event: Event) -> None:
        if self.step.returned_for_correction() and self.ctx.case and self.ctx.case.rejected:
            self.reopen()
            if isinstance(event, Files) and self.d.material:
                self.upload(event, self.d.material)
            return None
        if _readable(event) and self.faq(event.text.strip()):  # type: ignore[union-attr]
            return None
        if isinstance(event, Files):
            self.out.say("dialogs.no_upload_needed")
        self.status("")

    def reopen(self) -> None:
        case = self.ctx.case
        assert case is not None
        codes = list(dict.fromkeys(r.material for r in case.rejected))
        self.trigger("reopen")
        self.d.supplement = codes
        for code in codes:
            refused = [h for r in case.rejected if r.material == code for h in r.pages]
            self.d.materials[code] = {"pages": 0, "status": "pending", "rejected": refused}
        self.d.material = codes[0] if codes else None
        lines = [
            Msg("dialogs.returned.line", {"name": _material_name(r.material), "reason": r.reason})
            for r in case.rejected
        ]
        self.out.say("dialogs.returned.intro", lines=lines)
        if self.d.material:
            self.ask()
        else:
            self.trigger("next")

    def supplement_done(self) -> None:
        self.out.do(SupplementCase(tuple(self.d.supplement)))
        self.d.supplement = []
        self.d.material = None
        self.out.say("dialogs.supplement_sent", case_number=CASE_NUMBER)


_SUMMARY_ORDER = [
    "dialogs.summary.name",
    "dialogs.summary.id_number",
    "dialogs.summary.phone",
    "dialogs.summary.category",
    "dialogs.summary.contribution",
    "dialogs.summary.has_employer",
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
ITEM_STATUSES = ("pending", "in_progress", "done", "supplement", "refused", "online", "overdue")


_TEXT_HINTS = {
    "ask_name": "dialogs.hint.name",
    "ask_id_number": "idcard.empty",
    "ask_phone": "dialogs.hint.phone",
    "ask_contribution": "dialogs.hint.contribution",
}


def _could_answer(question: str, text: str) -> bool:
    if question == "ask_contribution":
        return read.parse_contribution(text) is not None
    return any(c.isdigit() for c in text)


def _readable(event: Event) -> bool:
    return isinstance(event, Text) and 0 < len(event.text.strip()) <= read.MAX_TEXT


def _material_name(code: str) -> Msg:
    return Msg(f"material.{code}.name")


def _problem_key(problem: str) -> str:
    return problem if problem in PROBLEMS else "other"


def _case_status_key(status: str) -> str:
    return f"dialogs.case_status.{status if status in CASE_STATUSES else 'other'}"


def _item_status_key(status: str) -> str:
    return f"dialogs.item_status.{status if status in ITEM_STATUSES else 'in_progress'}"


def _label_key(choice: str) -> str:
    if choice.startswith("ask_upload_"):
        return f"material.{choice.removeprefix('ask_upload_')}.name"
    if choice.startswith("ask_"):
        return f"dialogs.field.{choice}"
    return f"dialogs.choice.{choice}"


def _note_params(note: str, a: Any) -> dict[str, Any]:
    if note == "contribution_short":
        return {"months": a.contribution_shortfall_months}
    return {}
