"""Pure rules: no I/O, no actors, no clock reads. Time and ids arrive as arguments."""
