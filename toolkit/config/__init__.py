"""Loading and validating a workspace's TOML and CSV configuration into domain objects."""

from toolkit.config.loader import Config, load_config

__all__ = ["Config", "load_config"]
