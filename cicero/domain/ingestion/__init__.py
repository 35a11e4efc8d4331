"""Ingestion: upstream payloads, limits and retries, what to fetch, run summaries."""
