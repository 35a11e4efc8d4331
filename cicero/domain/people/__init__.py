"""People: phone numbers, roles, usernames, staff and client imports."""
