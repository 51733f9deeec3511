"""Accounts, roles, sessions, consent and the audit log."""
