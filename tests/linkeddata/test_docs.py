"""docs/linked-data.md documents every route and config key of the linked-data layer."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from treatygraph.web.settings import BY_KEY

LD_KEYS = ("CORPUS_DIR", "DATASET_LICENSE", "DATASET_PUBLISHER")


def test_every_route_is_documented(ld_app: Flask, root: Path) -> None:
    doc = (root / "docs" / "linked-data.md").read_text(encoding="utf-8")
    rules = [r.rule for r in ld_app.url_map.iter_rules() if r.endpoint.startswith("ld.")]
    assert rules
    for rule in rules:
        shown = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)  # /id/<name> -> /id/{name}
        shown = shown.replace(
            "{name}",
            "{slug}"
            if rule.startswith("/id/")
            else "{kind}"
            if rule.startswith("/browse/")
            else "{name}",
        )
        shown = shown.replace("{filename}", "{file}")
        stem = shown.split(".{ext}")[0].split("index.")[0]
        assert f"`{stem}" in doc, rule


def test_config_keys_have_defaults_and_are_documented(root: Path) -> None:
    doc = (root / "docs" / "linked-data.md").read_text(encoding="utf-8")
    for key in LD_KEYS:
        assert key in BY_KEY, key  # so it is in the README's settings table too
        assert f"`{key}`" in doc, key
