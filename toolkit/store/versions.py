"""Versioned names, one helper for every ``_vNN``: templates (``MCC-plan_S8_AAUC_v01.xlsx``), request forms, schedules
(``draft_schedule_v03.xlsx``), reports, publication folders (``baseline_v02/``). A new version never overwrites an
old one; the next number is one more than the highest on disk."""

from __future__ import annotations

from pathlib import Path


def versioned(stem: str, version: int, suffix: str = ".xlsx") -> str:
    """``<stem>_vNN<suffix>`` (``suffix`` "" for a folder)."""
    return f"{stem}_v{version:02d}{suffix}"


def version_of(name: str, stem: str, suffix: str = ".xlsx") -> int | None:
    """The version in a name made by ``versioned(stem, ..., suffix)``, or None if it is not one."""
    head = f"{stem}_v"
    if not name.startswith(head) or (suffix and not name.endswith(suffix)):
        return None
    digits = name[len(head):len(name) - len(suffix)] if suffix else name[len(head):]
    return int(digits) if digits.isdigit() else None


def versions(folder: Path, stem: str, suffix: str = ".xlsx") -> list[int]:
    """The versions of ``stem`` in ``folder`` (files, or folders when ``suffix`` is ""), in order."""
    if not folder.is_dir():
        return []
    found = (version_of(p.name, stem, suffix) for p in folder.glob(f"{stem}_v*{suffix}")
             if p.is_dir() == (suffix == ""))
    return sorted(v for v in found if v is not None)


def latest_version(folder: Path, stem: str, suffix: str = ".xlsx") -> int:
    """The highest version on disk, 0 when there is none."""
    return max(versions(folder, stem, suffix), default=0)


def next_version(folder: Path, stem: str, suffix: str = ".xlsx") -> int:
    return latest_version(folder, stem, suffix) + 1
