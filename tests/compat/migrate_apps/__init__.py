"""Apps written with ``flask_preflight.compat``, one per pattern ``migrate`` must handle;
tests/compat/test_migrate.py migrates each with ``tests.compat.migration_check``."""
