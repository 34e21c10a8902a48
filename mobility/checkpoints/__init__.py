"""checkpoints feature."""
