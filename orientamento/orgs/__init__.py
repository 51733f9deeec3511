"""Organisations: schools (with their counsellors) and training providers."""
