"""A loopback Bot API server: the real HTTP wire format, recorded calls, injected faults."""

from tests.fake_bot_api.server import TOKEN, Call, FakeBotApi, Limits

__all__ = ["TOKEN", "Call", "FakeBotApi", "Limits"]
