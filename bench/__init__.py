"""Benchmarks of Orientamento Milano: real gunicorn, real HTTP load, a table and JSON."""
