"""Apps written with ``flask_preflight.compat``, one per pattern ``migrate`` must handle;
tests/test_migrate.py migrates each with ``tests.migration_check``."""
