"""An applicant on Telegram, as a script: what they tap, type and photograph, driven through
the loopback Bot API server against whatever bot is serving it (in-process or `main.py run`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import callback_data
from tests.bot import images
from tests.fake_bot_api import Call, FakeBotApi
from tests.fake_bot_api import updates as u

ID_NUMBER = "150627196505150016"  # valid check character; born 1965-05-15
PHONE = "+8613800138000"
EMPLOYER = "伊金霍洛旗某煤业有限公司"
# Each question the applicant is asked before the uploads, and the button they press.
PRESSES = [
    ("ask_retirement_type", "normal"),
    ("ask_contribution", "unknown"),
    ("ask_town", "altan_xire"),
    ("ask_has_employer", "yes"),
    ("ask_name_matches_archive", "yes"),
    ("ask_paid_before_1995_07", "yes"),
    ("ask_handbook", "have"),
    ("ask_lump_sum_before_1996", "yes"),
    ("ask_receipts", "have"),
    ("ask_veteran", "yes"),
]


class JourneyError(AssertionError):
    pass


@dataclass
class Applicant:
    api: FakeBotApi
    user: u.User
    seen: list[Call] = field(default_factory=list)
    photos: dict[str, list[bytes]] = field(default_factory=dict)  # material -> pages sent
    answers: dict[str, list[Call]] = field(default_factory=dict)  # material -> bot's replies

    async def say(self, text: str) -> list[Call]:
        return self._keep(await self.api.deliver(u.text(self.user, text)))

    async def share_phone(self) -> list[Call]:
        asked = [b for c in self.seen[-3:] for b in c.buttons() if b.get("request_contact")]
        if not asked:
            raise JourneyError("the bot did not offer the share-my-number keyboard")
        return self._keep(await self.api.deliver(u.contact(self.user, PHONE)))

    def question(self) -> str:
        """The question of the newest inline keyboard (from its versioned callback data)."""
        for call in reversed(self.seen):
            for button in call.buttons():
                pressed = callback_data.decode(button.get("callback_data"))
                if pressed is not None and pressed.question is not None:
                    return pressed.question
        raise JourneyError("no inline keyboard shown yet")

    async def press(self, choice: str, question: str | None = None) -> list[Call]:
        for call in reversed(self.seen):
            for button in call.buttons():
                data = button.get("callback_data", "")
                pressed = callback_data.decode(data)
                if pressed is None:
                    continue
                if pressed.id == choice and question in (None, pressed.question):
                    message_id = call.result_message_id or 1
                    update = u.callback(self.user, data, message_id=message_id)
                    return self._keep(await self.api.deliver(update))
        raise JourneyError(f"no button {choice!r} for {question!r} on screen")

    def photo_updates(self, material: str, pages: list[bytes]) -> list[dict]:
        self.photos.setdefault(material, []).extend(pages)
        group = f"album-{material}" if len(pages) > 1 else None
        return [u.photo(self.user, self.api.photo_sizes(p), media_group_id=group) for p in pages]

    async def send_photos(self, material: str, pages: list[bytes]) -> list[Call]:
        replies = await self.api.deliver(*self.photo_updates(material, pages))
        self.answers[material] = replies
        return self._keep(replies)

    def _keep(self, calls: list[Call]) -> list[Call]:
        self.seen.extend(calls)
        return calls


async def answer_questions(who: Applicant) -> None:
    """From /start to the first upload request."""
    await who.say("/start")
    await who.press("zh_CN", "ask_language")
    await who.press("agree", "ask_consent")
    await who.say("张三")
    await who.say(ID_NUMBER)
    await who.share_phone()
    for question, choice in PRESSES:
        await who.press(choice, question)
        if question == "ask_has_employer" and choice == "yes":
            await who.say(EMPLOYER)  # ask_employer_name: typed


async def upload_everything(who: Applicant, *, seed: int = 10) -> None:
    """Every requested material; the ID card (front and back) as one album."""
    for _ in range(20):  # more than any checklist has: a stuck conversation fails the test
        question = who.question()
        if not question.startswith("ask_upload_"):
            return
        material = question.removeprefix("ask_upload_")
        pages = 2 if material == "id_card" else 1
        shots = [images.sharp_jpeg(seed=seed + n) for n in range(pages)]
        seed += pages
        replies = await who.send_photos(material, shots)
        if len([c for c in replies if c.method == "sendMessage"]) < 1:
            raise JourneyError(f"no answer to the pages of {material}")
        await who.press("done", question)
    raise JourneyError(f"the uploads never ended (still at {who.question()!r})")


async def submit(who: Applicant) -> list[Call]:
    if who.question() != "ask_review":
        raise JourneyError(f"expected the review, got {who.question()!r}")
    return await who.press("submit", "ask_review")
