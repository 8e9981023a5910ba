"""Text that comes from outside the toolkit (configuration, the command line, a supplier's file name) on its way into
a header, a CSV, a calendar or a cell: what is refused, and how what is kept is made harmless.

- Control characters (C0, DEL, C1, and the Unicode line and paragraph separators) never belong in a name, a reason
  or an address: a CR or LF in an email address adds headers, in a calendar title adds lines. The configuration
  refuses them (``plain_text_problem``); text written anyway has them replaced by spaces (``neutral``).
- A contact field holds one address (``address_problem``): a comma or semicolon would send mail to a second one.
- Text a spreadsheet would take for a formula (leading ``=``, ``+``, ``-``, ``@``, or a tab or CR before them: the
  OWASP list for CSV injection) is written with a leading apostrophe, so Excel shows it as the text it is.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# one address: no spaces, no second address after a comma or semicolon, no display name in angle brackets
ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")

NAMES = {"\r": "carriage return", "\n": "line feed", "\t": "tab", "\x00": "null", "\x7f": "delete",
         "\u2028": "line separator", "\u2029": "paragraph separator"}


def describe(char: str) -> str:
    """``U+000D (carriage return)``: how a refused character is named in a message."""
    return f"U+{ord(char):04X} ({NAMES.get(char, 'control character')})"


def plain_text_problem(value: str) -> str | None:
    """Why ``value`` is not plain one-line text, or None when it is."""
    found = CONTROL.search(value)
    if found is None:
        return None
    return f"contains a control character, {describe(found.group())}, at position {found.start() + 1}"


def address_problem(value: str) -> str | None:
    """Why ``value`` is not one email address, or None when it is."""
    problem = plain_text_problem(value)
    if problem is not None:
        return problem
    if ADDRESS.match(value):
        return None
    if len(re.findall(r"@", value)) > 1 or re.search(r"[,;]", value):
        return f"{value!r} holds more than one address; give one address per field"
    return f"{value!r} is not an email address"


def valid(value: str, problem_of=plain_text_problem) -> str:
    """``value`` when ``problem_of`` finds nothing wrong with it, else ValueError (a pydantic validator's answer)."""
    problem = problem_of(value)
    if problem:
        raise ValueError(problem)
    return value


def neutral(value: str) -> str:
    """``value`` as it is safe to write into a CSV or calendar: control characters become spaces, and text that a
    spreadsheet would take for a formula gets a leading apostrophe."""
    formula = value.startswith(FORMULA_START)
    value = CONTROL.sub(" ", value)
    if formula or value.lstrip().startswith(FORMULA_START):
        return "'" + value
    return value


def display_name(name: str) -> str:
    """A file name as it is shown and recorded: bytes that are not UTF-8 (which Python holds as surrogates) as
    ``\\xNN``, control characters as escapes (``\\r``, ``\\n``, ``\\x1b``), everything else as sent. Safe in a
    header, a report, a terminal or a cell; the exact bytes are kept apart."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and the word, plural unless ``n`` is one: "1 error", "2 errors", "0 warnings"."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
