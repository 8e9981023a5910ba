"""Migration Control Centre toolkit for the MHHS meter migration."""

__version__ = "0.1.0"
