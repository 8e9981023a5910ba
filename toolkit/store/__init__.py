"""The workspace on disk: where things are (``workspace``), the SQLite ledger, the registers of issued forms and
UCA rounds, the archive of received bytes by hash, versioned file names and plain-file exports."""
