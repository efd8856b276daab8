"""Plugins for the whole suite: the log guard (tests/log_guard.py); and the ID card's photo
switched off for every process a test builds (OCR is on by default): the photos of the
other tests are textures, not cards, so a reader would ask for the card again and spend a
worker process to say so. The tests of the card's photo switch it on (OCR__ENABLED=true) or
build their own reader."""

import os

pytest_plugins = ("tests.log_guard",)

os.environ.setdefault("OCR__ENABLED", "false")
