"""``python -m toolkit`` runs the mcc command."""

from toolkit.cli import entry

entry()
