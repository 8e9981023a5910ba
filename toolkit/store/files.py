"""Plain-file outputs: CSV tables (the envelope tables built here as pandas frames: the domain has no pandas)
and iCalendar (.ics) files for Outlook. Each is written under a temporary name and renamed into place.

Text from the configuration or the command line (a reason, a name) reaches these files through
``toolkit.domain.text.neutral``: never as a formula a spreadsheet would run, never with a control character that
would add a line to a calendar."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from toolkit.domain.calendar import CalendarEvent
from toolkit.domain.envelopes import CATEGORY_NAMES, PHASE_NAMES, Category, Envelopes, Phase
from toolkit.domain.text import neutral


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutral(value)
    return value


def csv_line(values: Sequence[object]) -> str:
    """One CSV line (with its newline) of ``values``, text neutralised as in every CSV the toolkit writes."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([_cell(v) for v in values])
    return buf.getvalue()


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Write dict rows with exactly ``columns`` (the toolkit's own names, never configuration text); returns the
    number of rows."""
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
    """RFC 5545 3.3.11 TEXT: backslash, semicolon and comma escaped; no control character survives (a bare CR
    would start a new line, that is a new property)."""
    value = neutral(value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


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


def envelope_table(env: Envelopes, weekly: bool = False, groups: slice = slice(None)):
    """One row per (group, LDSO where it holds MPANs, migration date) — or week commencing with ``weekly`` —
    with ``supplier_group,ldso,date|week_commencing,phase,category,envelope``, as a pandas DataFrame; only the
    groups of ``groups`` (positions), so a large industry can be written a few groups at a time. Dates are ISO
    strings."""
    import pandas as pd  # only here: importing it costs a third of a second at every start-up

    chosen = np.zeros(len(env.groups), dtype=bool)
    chosen[groups] = True
    gi, li = np.nonzero((env.category != Category.NONE) & chosen[:, None])
    cats = np.array([CATEGORY_NAMES[Category(c)] for c in env.category[gi, li]], dtype=object)
    if weekly:
        weeks = env.week_starts
        values = env.weekly()[gi, li, :] if len(gi) else np.zeros((0, len(weeks)), dtype=np.int64)
        offset = env.dates[0].weekday()
        # the phase of a week is the phase of its last migration day (or its last day)
        last_day = [min(7 * (k + 1) - offset, len(env.dates)) - 1 for k in range(len(weeks))]
        ph = env.phase[gi][:, last_day]
        cols = {"week_commencing": np.tile(np.datetime_as_string(np.array(weeks, dtype="datetime64[D]")), len(gi))}
    else:
        days = np.flatnonzero(env.migration)
        values = env.envelope[gi, li][:, days]
        ph = env.phase[gi][:, days]
        cols = {"date": np.tile(np.datetime_as_string(np.array(env.dates, dtype="datetime64[D]")[days]), len(gi))}
    n = values.shape[1]
    phase_names = np.array([PHASE_NAMES[Phase(k)] for k in range(len(Phase))], dtype=object)
    return pd.DataFrame({
        "supplier_group": np.repeat(np.array(env.groups, dtype=object)[gi], n),
        "ldso": np.repeat(np.array(env.ldsos, dtype=object)[li], n),
        **cols,
        "phase": phase_names[ph.ravel()],
        "category": np.repeat(cats, n),
        "envelope": values.ravel(),
    })


def write_envelope_csv(env: Envelopes, path: Path, weekly: bool = False) -> int:
    """Written ten groups at a time: the whole table of a large industry never sits in memory at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    rows = 0
    with part.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(len(env.groups), 1), 10):
            frame = envelope_table(env, weekly=weekly, groups=slice(start, start + 10))
            frame.to_csv(handle, index=False, header=start == 0, lineterminator="\n")
            rows += len(frame)
    part.replace(path)
    return rows


def write_ics(path: Path, events: Iterable[CalendarEvent], stamp: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ics_calendar(events, stamp).encode("utf-8"))
