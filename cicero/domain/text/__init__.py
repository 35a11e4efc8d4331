"""Text rules: Indonesian calendar words, storable text."""
