"""contracts feature."""
