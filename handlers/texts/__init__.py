"""User-facing text, one module per feature, in Simplified Chinese."""
