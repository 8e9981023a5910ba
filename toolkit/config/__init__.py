"""Loading and validating a workspace's TOML and CSV configuration into domain objects.

``Config`` and ``load_config`` are imported when first asked for: importing ``toolkit.config.model`` or ``.cache``
does not import the loader and its checks (start-up, issue 20)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.config.loader import load_config
    from toolkit.config.model import Config

__all__ = ["Config", "load_config"]


def __getattr__(name: str):
    if name == "Config":
        from toolkit.config.model import Config

        return Config
    if name == "load_config":
        from toolkit.config.loader import load_config

        return load_config
    raise AttributeError(name)
