"""Demo data for trying the platform: ``flask demo seed``."""
