"""The simulated WhatsApp network and its transport."""
