"""The call campaign after a job contract ends ("Spazio Emergenza Lavoro"): each worker's call
list for the day (queries.py), the retry rule (rules.py), call attempts (models.py,
services.py), the script in the person's language (script.py), the pages (views.py) and the
campaign's measures (measures.py). Documented in docs/calls.md."""
