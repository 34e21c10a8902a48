"""pricing feature."""
