"""How official accounts performed (issue 17): pure figures from stored posts."""
