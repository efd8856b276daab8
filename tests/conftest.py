"""Plugins for the whole suite: the log guard (tests/log_guard.py)."""

pytest_plugins = ("tests.log_guard",)
