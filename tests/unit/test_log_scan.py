"""The log scan must catch what PIPL forbids in logs, and only that."""

from __future__ import annotations

from shared.codes.national import resident_id_check_character
from shared.platform.privacy import mask_id_number, mask_phone
from tests.support.log_scan import findings


def _id_number(body: str = "32010219900307123") -> str:
    return body + resident_id_check_character(body)


def test_raw_id_numbers_phones_and_tokens_are_found() -> None:
    line = (
        f'{{"message": "registered", "id": "{_id_number()}", "phone": "13812345678", '
        '"auth": "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl"}'
    )
    found = findings(line)
    assert "ID number 320102…" in found
    assert "phone 138…" in found
    assert any(f.startswith("token") for f in found)
    assert any(f.startswith("bearer credential") for f in found)


def test_masked_values_ids_and_timestamps_are_not_flagged() -> None:
    line = (
        f"{mask_id_number(_id_number())} {mask_phone('13812345678')} 01KAXQ7R5T2N3V4W5X6Y7Z8A9B "
        "1795629858402 111100000000000000000001 2026-11-25T09:00:00+00:00 320102199003071230"
    )
    assert findings(line) == []
