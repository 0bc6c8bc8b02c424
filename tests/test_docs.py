"""The repository's documentation stands alone and describes what the code does."""

import re
from pathlib import Path

from app.stats.rows import ROW_FIELDS
from tests.paths import ROOT


def test_every_analytics_row_field_is_documented_in_order() -> None:
    contracts = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    table = contracts.split("Each row holds the `by` keys", 1)[1]
    documented = [
        name
        for cell in re.findall(r"^\| ([^|]+) \|", table, re.MULTILINE)
        for name in re.findall(r"`([a-z_]+)`", cell)
    ]
    assert documented == list(ROW_FIELDS)


def test_no_file_points_outside_the_repository_for_its_specification() -> None:
    outside = re.compile(r"DESIGN\.md|SIPAS\.md|STYLE\.md|\.\./shared|`shared/`")
    sources = [
        path
        for folder in ("app", "analytics", "tests", "docs", "bench", "migrations")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".md", ".html", ".R"} and path != Path(__file__)
    ]
    offending = [
        str(path.relative_to(ROOT))
        for path in [*sources, ROOT / "README.md"]
        if outside.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []


def test_documentation_links_resolve() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
