"""What the scheduled jobs and the menus send: reports built from the database (attendance
recaps and their Excel files, amplification, task broadcasts), as outbox rows."""
