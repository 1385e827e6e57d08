"""Benchmarks for Flask-Preflight against a bare Flask app and flask-cors.

Run ``python -m benchmarks`` (full run) or ``python -m benchmarks --smoke`` (CI smoke run).
See ``benchmarks/README.md`` for the method.
"""
