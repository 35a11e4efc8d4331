"""Spreadsheet imports of clients and staff (data.md §5): read, preview, apply."""
