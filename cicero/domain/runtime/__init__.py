"""Runtime rules: the clock's schedule, job specs and parts, supervision, health, backups."""
