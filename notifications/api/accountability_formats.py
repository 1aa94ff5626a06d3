"""The accountability report as a flat CSV and as a printable page."""

import csv
import io

from django.template.loader import render_to_string

# A cell starting with one of these is a formula to a spreadsheet; quote it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def _flatten(value, path=""):
    """(field path, scalar) pairs; lists of scalars become one comma-separated cell."""
    if isinstance(value, dict):
        if not value and path:
            yield path, ""
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{path}[{i}]")
    elif isinstance(value, list):
        yield path, ", ".join(_cell(item) for item in value)
    else:
        yield path, value


# Sections that are lists of items, and the key that names each item.
ITEM_KEYS = {
    "grants": "dataset",
    "grants_not_in_force": "dataset",
    "responsibilities": "area",
    "usage": "dataset",
    "alerts": "id",
}


def report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for section, content in report.items():
        if section in ITEM_KEYS:
            for item in content:
                name = item.get(ITEM_KEYS[section], "")
                for field, value in _flatten({k: v for k, v in item.items() if k != ITEM_KEYS[section]}):
                    writer.writerow([section, _cell(name), field, _cell(value)])
        elif isinstance(content, (dict, list)):
            for field, value in _flatten(content):
                writer.writerow([section, "", field, _cell(value)])
        else:
            writer.writerow([section, "", "", _cell(content)])
    return out.getvalue()


def report_html(report: dict, *, generated_at: str, request=None) -> str:
    return render_to_string(
        "notifications/accountability_report.html", {"report": report, "generated_at": generated_at}, request=request
    )
