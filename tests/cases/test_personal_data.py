"""ID and phone numbers: encrypted at rest, found by keyed hash, never unmasked in a log."""

from __future__ import annotations

import hashlib
import logging
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app.settings import DatabaseSettings, SecuritySettings, Settings
from cases import repositories as repo
from cases.crypto import Vault, load_vault
from cases.db import Database
from cases.errors import MissingKey
from tests.cases.databases import postgres_database, sqlite_database
from tests.cases.scenario import ID_NUMBER, PHONE, new_applicant, upload_and_submit

ID_NUMBERS = ["11010519491231002X", "150627196805120017", "15062719700101002X"]
PHONES = ["13812345678", "15947761234", "18604771234"]


def _create_and_look_up(session: Session) -> list[str]:
    log = logging.getLogger("tests.cases.personal")
    found = []
    for n, (id_number, phone) in enumerate(zip(ID_NUMBERS, PHONES, strict=True)):
        applicant = repo.get_or_create_applicant(session, "telegram", f"u{n}")
        repo.set_id_number(session, applicant, id_number)
        repo.set_phone(session, applicant, phone)
        session.flush()
        log.info("created %r", applicant)  # a careless log line: the repr must be masked
        repo.audit(session, "system", "applicant.identified", detail={"said": f"我是{id_number}"})
        (match,) = repo.find_applicants_by_id_number(session, id_number.lower())
        found.append(repr(match))
    return found


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_no_id_number_appears_unmasked_in_any_log_line(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # echo=True: SQLAlchemy logs every statement with its parameters, the hardest case.
    opener = sqlite_database(tmp_path, echo=True) if kind == "sqlite" else None
    async with opener or postgres_database(echo=True) as db:
        reprs = await db.run(_create_and_look_up)
        applicant_id = await db.run(lambda s: repo.find_applicants_by_phone(s, PHONES[0])[0].id)
        await db.run(upload_and_submit, applicant_id, "c" * 64)

    assert len(caplog.records) > 20  # the statements really were logged
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    for secret in [*ID_NUMBERS, *PHONES]:
        assert secret not in logged
        assert secret not in "".join(reprs)
    assert "**************002X" in reprs[0]


def _raw_row(connection: Connection) -> tuple[bytes, str]:
    row = connection.execute(text("SELECT id_number_enc, id_number_hash FROM applicants")).one()
    return bytes(row[0]), row[1]


async def test_id_and_phone_numbers_are_encrypted_at_rest(db: Database) -> None:
    await db.run(new_applicant, "900")
    cipher, digest = await db.run_on_connection(_raw_row)
    assert ID_NUMBER.encode() not in cipher
    assert digest != hashlib.sha256(ID_NUMBER.encode()).hexdigest()  # keyed, not a plain hash

    # Another key cannot find the applicant: the hash is useless without the key.
    def look_up_with_other_key(session: Session) -> int:
        session.info["vault"] = Vault(b"\x01" * 32)
        return len(repo.find_applicants_by_id_number(session, ID_NUMBER))

    assert await db.run(look_up_with_other_key) == 0
    applicant = (await db.run(repo.find_applicants_by_phone, "+86 138-1234-5678"))[0]
    assert await db.run(repo.phone_of, applicant) == PHONE


def _settings(tmp_path: Path, url: str = "sqlite:///data/app.db", key: str = "") -> Settings:
    return Settings(
        database=DatabaseSettings(url=url),
        security=SecuritySettings(
            data_key=SecretStr(key), key_file=tmp_path / "data" / "secret.key"
        ),
    )


def test_the_embedded_default_creates_a_private_key_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = _settings(tmp_path)
    first = load_vault(settings)
    second = load_vault(settings)
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert second.decrypt(first.encrypt("13812345678")) == "13812345678"
    warnings = [r for r in caplog.records if "data key" in r.getMessage()]
    assert len(warnings) == 1
    assert key_file.read_text() not in caplog.text
    assert "hidden" in repr(first)


def test_postgresql_without_a_configured_key_refuses_to_invent_one(tmp_path: Path) -> None:
    settings = _settings(tmp_path, url="postgresql+asyncpg://postgres@127.0.0.1/test")
    with pytest.raises(MissingKey, match="SECURITY__DATA_KEY"):
        load_vault(settings)
    assert not (tmp_path / "data" / "secret.key").exists()


def test_a_configured_key_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="32 bytes"):  # refused with the settings
        _settings(tmp_path, key="c2hvcnQ=")
    settings = _settings(tmp_path)
    settings.security.data_key = SecretStr("c2hvcnQ=")  # and again by the vault itself
    with pytest.raises(MissingKey, match="32 bytes"):
        load_vault(settings)
