"""Issue 12's attacks, rerun: ``python -m bench.attacks``."""
