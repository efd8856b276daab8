"""The ID card read from its photo (issue 18): `OcrCardReader` implements the conversation's
`dialogs.card_reader.CardReader` port with RapidOCR, offline; `FakeCardReader` stands in for
it where a test wants a given reading without a model.

Why here, and not beside the rules: OCR is an external system like the approval platform
(a 100 MB runtime, a model, threads), so it lives in integrations/ behind a port that the
conversation owns; what the card's text *means* (which line is the number, does the birth
date agree) is a pure rule and lives in `policy/idcard_front.py`, testable without a model.

`reader.py` (the bot's side: a pool of worker processes) imports nothing of the model;
`worker.py` and `ocr.py` (onnxruntime, OpenCV) are imported in the worker processes only.
`integrations.idcard.fake` costs nothing.
"""
