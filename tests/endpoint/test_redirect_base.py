"""Redirect Location headers come from the configured public base, never the Host header."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask


def test_slash_redirect_ignores_a_hostile_host_header(make_app: Callable[..., Flask]) -> None:
    client = make_app(BASE_URL="https://treaties.example.org").test_client()
    resp = client.get("/dumps", headers={"Host": "evil.example"})
    assert resp.status_code in (301, 308)
    assert resp.headers["Location"] == "https://treaties.example.org/dumps/"


def test_without_a_base_the_redirect_is_relative(make_app: Callable[..., Flask]) -> None:
    resp = make_app().test_client().get("/dumps", headers={"Host": "evil.example"})
    assert resp.status_code in (301, 308)
    assert "evil.example" not in resp.headers["Location"]
    assert resp.headers["Location"].endswith("/dumps/")
