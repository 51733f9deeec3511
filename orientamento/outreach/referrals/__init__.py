"""Referrals to support services (docs/referrals.md): a worker sends a flagged person, with their
consent, to services of the catalogue (models.py, services.py, forms.py); the service's
operators read their incoming referrals (queries.py) and answer, record the take-up and close
them on their own pages (views.py, on the outreach blueprint); answer deadlines count Milan
working days (days.py)."""
