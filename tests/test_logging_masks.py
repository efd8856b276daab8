"""Personal data never reaches a log line unmasked."""

import logging

from app.logging_setup import MaskingFilter, mask_text


def test_id_numbers_and_phones_are_masked_in_free_text():
    text = "applicant 11010519491231002X phone 13812345678 old 150627491231002"
    masked = mask_text(text)
    assert "11010519491231002X" not in masked
    assert "1101**********002X" in masked
    assert "13812345678" not in masked and "138****5678" in masked
    assert "150627491231002" not in masked


def test_masking_filter_rewrites_log_records(caplog):
    logger = logging.getLogger("test.mask")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("id %s", "11010519491231002X")
    assert "11010519491231002X" not in caplog.text
    assert "1101**********002X" in caplog.text
