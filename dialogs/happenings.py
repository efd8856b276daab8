"""Events from outside the chat that move the conversation: the result notice delivered (or
delivered again, changed), and the online-step check falling due.

The aftercare workers hand these to the conversation (`dialogs.after_result.happen`), in the
worker's own transaction, instead of moving the stored conversation themselves: the engine
moves it by the rows of the one table, as it does for the applicant's own messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResultDelivered:
    """The result notice went out; `changed`: a new version replacing one sent before."""

    changed: bool = False


@dataclass(frozen=True)
class OnlineStepsDue:
    """Time to ask whether the online steps are done; `steps`: those not answered "done"."""

    steps: tuple[str, ...]


Happening = ResultDelivered | OnlineStepsDue
