"""What was read from a returned workbook, as plain values: metadata, sheet names, defined names and the input
grids with their raw cell values. The Excel reader builds it; the rules judge it. Pure data, no parsing here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The weekly plan's 'Left to plan' row (remaining minus planned, per LDSO) sits this many rows above the grid's
# first row, between 'Planned to M15' and the LDSO header: a finding about an LDSO's whole portfolio cites it.
LEFT_TO_PLAN_ABOVE = 2


def column_letters(col: int) -> str:
    """0-based column index -> A1 letters (0 -> A, 26 -> AA)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """0-based row and column -> an A1 reference."""
    return f"{column_letters(col)}{row + 1}"


@dataclass(frozen=True)
class Area:
    sheet: str
    top: int  # 0-based
    left: int
    bottom: int
    right: int

    @property
    def ref(self) -> str:
        return f"{a1(self.top, self.left)}:{a1(self.bottom, self.right)}"

    @property
    def qualified(self) -> str:
        """``'Weekly plan'!$B$9:$Y$34``: the form the template's layout metadata records."""
        def absolute(r: int, c: int) -> str:
            return f"${column_letters(c)}${r + 1}"
        return f"'{self.sheet}'!{absolute(self.top, self.left)}:{absolute(self.bottom, self.right)}"

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1

    @property
    def cols(self) -> int:
        return self.right - self.left + 1


@dataclass
class Grid:
    """One input grid: raw values (float, str, date, bool, or None for blank) with its row and column keys."""

    name: str
    area: Area
    keys: list[str]  # the row directly above the grid (LDSO or agent MPIDs)
    roles: list[str]  # AgentForecast: the row above the keys; else empty
    dates: list[object]  # the column directly left
    values: list[list[object]]
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)  # (row, col) inside the grid

    def cell(self, r: int, c: int) -> str:
        return a1(self.area.top + r, self.area.left + c)

    def key_cell(self, c: int) -> str:
        return a1(self.area.top - 1, self.area.left + c)

    def left_cell(self, c: int) -> str:
        """The weekly plan's 'Left to plan' cell of column ``c``, where the supplier sees the whole portfolio."""
        return a1(self.area.top - LEFT_TO_PLAN_ABOVE, self.area.left + c)

    def date_cell(self, r: int) -> str:
        return a1(self.area.top + r, self.area.left - 1)


@dataclass
class Submission:
    file: str  # the name the file arrived with
    meta: dict[str, str]
    sheet_names: list[str]
    names: dict[str, Area | None]  # workbook-level defined names (None: no longer a plain range)
    grids: dict[str, Grid] = field(default_factory=dict)
    # the digest of the locked content at the ranges the metadata names, recomputed from the file (None: the
    # metadata names none, or names what the file does not hold); compared with the signed ``content_digest``
    locked_digest: str | None = None
