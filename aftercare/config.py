"""What the aftercare workers are given: the deployment's terms and the file store, built
once by the composition root (runtime/services.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.settings import Settings
from cases.files import FileStore
from documents.result_notice import render_result_notice

# How a notice becomes PDF bytes: documents.result_notice.render_result_notice, or a stand-in
# given by a test (one that fails, to prove that one case never holds up another).
NoticeRenderer = Callable[..., bytes]


@dataclass(frozen=True)
class AftercareConfig:
    region: str = "ejin_horo"
    online_step_check_days: int = 3
    rating_followup_working_days: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> AftercareConfig:
        s = settings.service
        return cls(s.region, s.online_step_check_days, s.rating_followup_working_days)


@dataclass(frozen=True)
class Deps:
    files: FileStore
    config: AftercareConfig
    render: NoticeRenderer = render_result_notice  # a test may hand in one that fails
