"""Pure domain logic: no files, no Excel objects, no clock. "Today" and settings are parameters."""
