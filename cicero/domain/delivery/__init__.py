"""Sending: the WhatsApp session machine, the outbox, send windows, throttle, long texts."""
