"""The offices' contacts file: operator data, checked; nothing filled in is never made up."""

from pathlib import Path

import pytest

from policy.contacts import ContactsFileError, load_contacts
from policy.items import load_items

FILLED = Path(__file__).parent / "fixtures" / "contacts_filled.toml"


def test_the_shipped_file_lists_every_office_of_the_items_and_invents_nothing():
    contacts = load_contacts()
    codes = {c.office for c in contacts}
    assert {i.office for i in load_items()} <= codes
    assert all(c.missing == ("address", "phone", "hours") for c in contacts)


def test_a_filled_file_reads_every_detail():
    window = load_contacts(FILLED)[0]
    assert (window.address, window.phone, window.missing) == ("测试路1号", "0477-0000001", ())


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[offices]]\noffice = "a"\nname_zh = ""\nrole_zh = "r"\n', "name_zh"),
        ('[[offices]]\noffice = "a"\nname_zh = "n"\nrole_zh = "r"\nphone = 5\n', "phone"),
        (
            '[[offices]]\noffice = "a"\nname_zh = "n"\nrole_zh = "r"\n'
            '[[offices]]\noffice = "a"\nname_zh = "m"\nrole_zh = "r"\n',
            "twice",
        ),
    ],
)
def test_a_malformed_file_is_refused(tmp_path, text, complaint):
    path = tmp_path / "contacts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContactsFileError, match=complaint):
        load_contacts(path)
