"""Authorization and authentication rules."""
