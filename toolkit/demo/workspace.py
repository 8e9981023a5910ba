"""New workspaces and industries made by the demo generator: ``mcc init`` and ``mcc generate-industry``."""

from __future__ import annotations

from pathlib import Path

from toolkit.demo.industry import DemoSpec, generate, write_config
from toolkit.errors import WorkspaceError
from toolkit.mail.compose import export_defaults
from toolkit.store.keys import create_key
from toolkit.store.workspace import FOLDERS, Workspace, write_marker


def init_workspace(target: Path, spec: DemoSpec | None = None, force: bool = False, kind: str = "live") -> Workspace:
    """Create a workspace holding the demo configuration, editable copies of the email texts, its signing key
    (an existing key is kept: templates issued with it stay valid) and the marker ``config/workspace.toml`` that
    makes mcc find it from any folder inside (``kind``: ``live``, the MCC's own, or ``demo``, where ``mcc demo``
    may write simulated returns)."""
    ws = Workspace(target.expanduser().resolve())
    existing = [p.name for p in ws.config.glob("*")] if ws.config.is_dir() else []
    if existing and not force:
        raise WorkspaceError(f"{ws.config} already holds {', '.join(sorted(existing))}; "
                             "use --force to overwrite it with the demo configuration")
    for name in FOLDERS:
        (ws.root / name).mkdir(parents=True, exist_ok=True)
    write_config(generate(spec or DemoSpec()), ws.config)
    write_marker(ws.root, kind)
    export_defaults(ws.templates / "email")
    create_key(ws.config, exist_ok=True)
    return ws


def generate_industry(out_dir: Path, spec: DemoSpec) -> list[Path]:
    """Write a generated industry's configuration files into ``out_dir``."""
    return write_config(generate(spec), out_dir)
