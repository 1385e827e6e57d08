"""compat (``flask_preflight.compat``): its tests, the migration suite (``migration/``),
``migrate``'s sample apps (``migrate_apps/``) and the runner of flask-cors's own suite
(``suite/``, ``make compat-suite``)."""
