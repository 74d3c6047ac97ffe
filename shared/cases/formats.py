"""Accepted material formats: the catalogue names formats (`pdf`, `jpg`, ...);
uploads declare a content type, and the stored bytes must start like that
format does (magic numbers), so a renamed file is caught at confirmation."""

from __future__ import annotations

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",  # 版式文档 (GB/T 33190), a zip container
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "tif": "image/tiff",
    "tiff": "image/tiff",
}

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/ofd": (b"PK\x03\x04",),
    "application/zip": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
    "application/msword": (b"\xd0\xcf\x11\xe0",),
    "application/vnd.ms-excel": (b"\xd0\xcf\x11\xe0",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}

MAGIC_BYTES_NEEDED = 8


def format_of(content_type: str, accepted_formats: list[str]) -> str | None:
    """The accepted format a content type stands for, or None when it is not accepted."""
    wanted = content_type.split(";", 1)[0].strip().lower()
    for name in accepted_formats:
        if CONTENT_TYPES.get(name.lower()) == wanted:
            return name.lower()
    return None


def content_matches(content_type: str, head: bytes) -> bool:
    """Whether the file's first bytes fit its declared content type."""
    signatures = _MAGIC.get(content_type.split(";", 1)[0].strip().lower())
    return signatures is None or any(head.startswith(signature) for signature in signatures)
