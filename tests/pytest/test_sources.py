"""Provenance inside the repository: every figure's source is described under docs/sources/,
its exact words are the words quoted there, and no citation points outside the repository."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT

REGISTER = PROJECT_ROOT / "seeds" / "reference" / "published_figures.csv"


def _register() -> list[dict[str, str]]:
    with REGISTER.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.fast
def test_every_figure_names_a_source_page_that_quotes_its_exact_words():
    pages: dict[str, str] = {}
    for row in _register():
        page = PROJECT_ROOT / row["source_page"]
        assert row["source_page"].startswith("docs/sources/") and page.is_file(), row["figure_id"]
        text = pages.setdefault(row["source_page"], _words(page.read_text(encoding="utf-8")))
        assert f"`{row['figure_id']}`" in text, f"{row['figure_id']} is not on {page.name}"
        assert row["exact_wording"] or row["source_summary"], row["figure_id"]
        if row["exact_wording"]:
            assert _words(row["exact_wording"]) in text, (row["figure_id"], row["exact_wording"])


@pytest.mark.fast
def test_exact_wording_only_where_the_source_text_is_held():
    index = (PROJECT_ROOT / "docs" / "sources" / "README.md").read_text(encoding="utf-8")
    held = set(re.findall(r"\[([\w.-]+\.md)\]\([\w.-]+\.md\) \|[^|]*\|[^|]*\| yes", index))
    assert held == {"mail-on-sunday-2019-03-31.md", "mayor-of-london-2016-12-15.md"}
    for row in _register():
        if Path(row["source_page"]).name not in held:
            assert row["exact_wording"] == "", row["figure_id"]
            assert row["source_summary"], row["figure_id"]
        assert "DOMAIN.md" not in row["exact_wording"] + row["source_summary"], row["figure_id"]


@pytest.mark.fast
def test_no_citation_points_outside_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    this_file = Path(__file__).relative_to(PROJECT_ROOT).as_posix()
    outside = re.compile(r"shared/sources|shared/DOMAIN|DOMAIN\.md")
    found = [
        name
        for name in tracked
        if name != this_file
        and (PROJECT_ROOT / name).is_file()
        and name.endswith((".md", ".yml", ".yaml", ".sql", ".csv", ".py", ".html", ".j2", ".txt"))
        and outside.search((PROJECT_ROOT / name).read_text(encoding="utf-8", errors="ignore"))
    ]
    assert found == []
