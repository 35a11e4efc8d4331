"""Amplification: the links staff report for the posts they reposted (data.md §4.7)."""
