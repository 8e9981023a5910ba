"""Plain-file outputs: CSV tables and iCalendar (.ics) files for Outlook."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from toolkit.domain.calendar import CalendarEvent


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Write dict rows with exactly ``columns``; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in columns])
            count += 1
    return count


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: lines longer than 75 octets continue on lines starting with a space."""
    out, data = [], line.encode("utf-8")
    while len(data) > 75:
        cut = 75 if not out else 74
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        out.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    out.append(data.decode("utf-8"))
    return [out[0], *(" " + part for part in out[1:])]


def ics_calendar(events: Iterable[CalendarEvent], stamp: datetime, name: str = "MHHS Migration Calendar") -> str:
    """An iCalendar file of all-day events; UIDs are stable so a re-import updates rather than duplicates."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//MCC toolkit//Migration Calendar//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(name)}"]
    dtstamp = stamp.strftime("%Y%m%dT%H%M%SZ")
    for ev in events:
        uid = hashlib.sha1(f"{ev.kind}|{ev.start}|{ev.title}".encode()).hexdigest()[:20]
        lines += ["BEGIN:VEVENT", f"UID:{uid}@mcc-toolkit", f"DTSTAMP:{dtstamp}",
                  f"DTSTART;VALUE=DATE:{ev.start:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{ev.end + timedelta(days=1):%Y%m%d}",  # DTEND is exclusive
                  f"SUMMARY:{_ics_text(ev.title)}", f"CATEGORIES:{ev.kind.upper()}",
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
