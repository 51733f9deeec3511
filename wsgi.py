"""WSGI entry point: ``gunicorn wsgi:app``."""

from orientamento import create_app

app = create_app()
