"""The watched inbox: file safety checks, isolated reading, the SQLite ledger, the pipeline and the watcher."""
