"""The steps of the cycle, one module each, shared by the command line, the Excel macros and the watcher. Each
takes a ``Context`` (the workspace, its configuration, the clock and the signing key) and explicit arguments,
returns what it made and prints nothing; below the services nothing knows which step it serves."""
