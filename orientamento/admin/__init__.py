"""City administration: staff accounts, roles, deactivation and the audit log."""
