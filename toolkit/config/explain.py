"""Pydantic's errors in the words of a spreadsheet user, located by TOML key (``toolkit.config.loader`` uses them)."""

from __future__ import annotations

from typing import Any


def _explain(err: dict[str, Any]) -> str:
    """A pydantic error in words a spreadsheet user understands."""
    kind, value = err["type"], err.get("input")
    shown = repr(value) if isinstance(value, str) else str(value)
    ctx = err.get("ctx") or {}
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{shown} is not a whole number"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"):
        return f"{shown} is not a date (write it as YYYY-MM-DD)"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown} is not yes or no (write true or false)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal"):
        bound = next(ctx[k] for k in ("ge", "gt", "le") if k in ctx)
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        phrase = {"greater_than_equal": f"must be {bound} or more", "greater_than": f"must be more than {bound}",
                  "less_than_equal": f"must be {bound} or less"}[kind]
        return f"{value} {phrase}"
    if kind in ("float_parsing", "float_type"):
        return f"{shown} is not a number"
    if kind in ("literal_error", "enum"):
        return f"{shown} is not one of {ctx.get('expected', '')}"
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a known setting (check the spelling)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]


def _toml_location(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item + 1}]" if parts else f"[{item + 1}]"
        else:
            parts.append(str(item))
    if len(parts) > 1:
        return f"[{parts[0]}] " + ".".join(parts[1:])
    return parts[0] if parts else ""
