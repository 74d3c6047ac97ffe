"""The local gateway's `/portal/` (issue 20): the portal's files with the security headers, nothing else."""

from __future__ import annotations

from infra.local.gateway import PORTAL_CSP, portal_file


def header(reply: object, name: str) -> str | None:
    return next((v for k, v in reply.headers if k == name), None)  # type: ignore[attr-defined]


def test_the_folder_answers_with_its_page_and_the_security_headers() -> None:
    reply = portal_file("/portal/")
    assert reply.status == 200
    assert b'<html lang="zh-CN">' in reply.body
    assert header(reply, "Content-Type") == "text/html; charset=utf-8"
    assert header(reply, "Content-Security-Policy") == PORTAL_CSP
    assert "frame-ancestors 'none'" in PORTAL_CSP
    assert "script-src 'self'" in PORTAL_CSP
    assert header(reply, "X-Content-Type-Options") == "nosniff"


def test_modules_are_served_as_javascript() -> None:
    reply = portal_file("/portal/pages/catalog.js")
    assert reply.status == 200
    assert header(reply, "Content-Type") == "text/javascript; charset=utf-8"


def test_without_the_slash_it_redirects_so_relative_links_resolve() -> None:
    reply = portal_file("/portal")
    assert (reply.status, header(reply, "Location")) == (301, "/portal/")


def test_nothing_outside_the_folder_is_served() -> None:
    for path in (
        "/portal/../README.md",
        "/portal/%2e%2e/template.yaml",
        "/portal/../infra/local/gateway.py",
        "/portal/nope.js",
    ):
        assert portal_file(path).status == 404, path
