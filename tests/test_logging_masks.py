"""Personal data never reaches a log line unmasked."""

import logging

import pytest

from app.logging_setup import MaskingFilter, mask_text


def test_id_numbers_and_phones_are_masked_in_free_text():
    text = "applicant 11010519491231002X phone 13812345678 old 150627491231002"
    masked = mask_text(text)
    assert "11010519491231002X" not in masked
    assert "1101**********002X" in masked
    assert "13812345678" not in masked and "138****5678" in masked
    assert "150627491231002" not in masked


@pytest.mark.unmasked_logs_ok
def test_masking_filter_rewrites_log_records(caplog):
    logger = logging.getLogger("test.mask")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("id %s", "11010519491231002X")
    assert "11010519491231002X" not in caplog.text
    assert "1101**********002X" in caplog.text


def test_phone_and_id_numbers_in_every_common_form_are_masked():
    forms = [
        "+8613800138000",
        "8613800138000",
        "008613800138000",
        "+86 138 0013 8000",
        "138-0013-8000",
        "138 0013 8000",
        "１３８００１３８０００",
        "ID150627196505150016",
        "150627 19650515 0016",
        "150627-1965-0515-0016",
        "１５０６２７１９６５０５１５００１６",
        "15062719650515001X",
    ]
    for form in forms:
        masked = mask_text(f"number {form} here")
        digits = "".join(ch for ch in masked if ch.isdigit())
        assert "13800138000" not in digits and "150627196505150016" not in digits, masked
        assert "****" in masked, masked


@pytest.mark.unmasked_logs_ok
def test_a_traceback_is_masked_too(capsys):
    import logging as lg

    from app.logging_setup import setup_logging

    setup_logging("INFO")
    try:
        raise ValueError("bad id 150627196505150016 for 13800138000")
    except ValueError:
        lg.getLogger("test.trace").exception("failed")
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError" in err
    assert "150627196505150016" not in err and "13800138000" not in err


def test_library_chatter_stays_out_of_the_log_at_any_level(capsys):
    import logging as lg

    from app.logging_setup import setup_logging

    setup_logging("DEBUG")
    lg.getLogger("transitions.core").info("Finished processing state x exit callbacks.")
    lg.getLogger("telegram.ext.Application").debug("Processing update {'phone': '+86138'}")
    lg.getLogger("our.code").debug("ours")
    err = capsys.readouterr().err
    assert "Finished processing" not in err and "Processing update" not in err
    assert "ours" in err


# (text, what must stay, what must not be seen): case numbers pass; the people's numbers next
# to them, or in any form, are still masked.
CASE_NUMBER_TABLE = [
    ("办件 YJ-20261126-0001 已受理", "YJ-20261126-0001", None),
    ("YJ-20261126-0000001", "YJ-20261126-0000001", None),
    ("YJ-20261126-00000001 退回", "YJ-20261126-00000001", None),
    ("case YJ-20260401-000001 5 pages", "YJ-20260401-000001 5 pages", None),
    ("YJ-20261126-0001 13800138000", "YJ-20261126-0001", "13800138000"),
    ("YJ-20261126-0001 +86 138 0013 8000", "YJ-20261126-0001", "00138000"),
    ("YJ-20261126-0001,150627196505150016", "YJ-20261126-0001", "150627196505150016"),
    ("YJ-20261126-0001 150627 19650515 0016", "YJ-20261126-0001", "19650515"),
    ("YJ-20261126-0001 １５０６２７１９６５０５１５００１６", "YJ-20261126-0001", "19650515"),
    ("YJ-20261126-0001 ID15062719650515001X", "YJ-20261126-0001", "1965051500"),
    # Not a case number (no date in it): an ID number behind "YJ-" is still an ID number.
    ("YJ-15062719-6505150016", "1506**********0016", "19650515"),
    ("YJ-150627196505150016", "1506**********0016", "19650515"),
]


@pytest.mark.parametrize(("text", "kept", "hidden"), CASE_NUMBER_TABLE)
def test_case_numbers_pass_and_the_numbers_beside_them_do_not(text, kept, hidden):
    from app.personal_numbers import find_numbers

    masked = mask_text(text)
    assert kept in masked, masked
    if hidden is None:
        assert masked == text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        assert find_numbers(text) == []
    else:
        assert hidden not in masked.replace(" ", "").replace("-", ""), masked
        assert find_numbers(text), text
