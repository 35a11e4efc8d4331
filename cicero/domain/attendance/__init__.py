"""Attendance: the status rule, periods, orderings, reminders, on-demand reports."""
