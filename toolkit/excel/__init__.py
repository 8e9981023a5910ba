"""Excel adapters: writers that take a value built in memory and write it in one call, and readers."""
