"""Outreach: the flag queue, decisions, contacts and outcomes."""
