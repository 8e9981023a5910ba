"""The signing key of a workspace: make one (the machine that issues templates), import one (a second machine
judging the returns of templates another issued), and say which key is in use (a fingerprint to compare between
machines, never the key)."""

from __future__ import annotations

from pathlib import Path

from toolkit.store.keys import KeyInfo, create_key, import_key, key_info
from toolkit.store.workspace import Workspace


def new_key(workspace: Workspace) -> KeyInfo:
    create_key(workspace.config)
    return key_info(workspace.config)


def import_key_file(workspace: Workspace, source: Path) -> KeyInfo:
    import_key(workspace.config, source)
    return key_info(workspace.config)


def current_key(workspace: Workspace) -> KeyInfo:
    return key_info(workspace.config)
