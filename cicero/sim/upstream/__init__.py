"""The fake upstream API (RapidAPI shapes) and its world."""
