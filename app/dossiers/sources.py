"""Dossier files as rows of the vendor's fields: CSV (any extra columns are the vendor's
and ignored) or JSON (a list of objects, or ``{"dossiers": [...]}``), each row with its
line (CSV) or item number (JSON) for the errors."""

import json
from collections.abc import Iterator, Mapping

from app.dossiers.mapping import REQUIRED, DossierMapping
from app.imports.csvfile import CsvSource, ErrorLog

Rows = Iterator[tuple[int, Mapping[str, object]]]


def csv_rows(source: CsvSource, mapping: DossierMapping, errors: ErrorLog) -> Rows:
    required = tuple(mapping.names(field)[0] for field in REQUIRED)
    for row in source.rows(required, errors, extra=lambda _: True):
        yield row.line, row.values


def json_rows(content: bytes, errors: ErrorLog) -> Rows:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as problem:
        errors.add(1, "(file)", f"not JSON: {problem}")
        return
    items = data.get("dossiers") if isinstance(data, dict) else data
    if not isinstance(items, list):
        errors.add(1, "(file)", 'a JSON list of dossiers, or {"dossiers": [...]}')
        return
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            yield number, item
        else:
            errors.add(number, "(item)", "not an object")
