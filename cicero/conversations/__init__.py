"""The router's I/O around the pure menu machine: load the facts of one message, answer
its lookups, apply its effects and queue its replies, in one transaction."""
