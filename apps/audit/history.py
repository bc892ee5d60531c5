"""The change history of domain records, kept by PostgreSQL triggers.

Triggers see every write, including bulk ``QuerySet.update()`` and raw SQL
that bypass ``save()``; event tables are append-only. Personal numbers are
excluded by each model (``exclude=[...]``), never stored in clear here.
"""

import pghistory


def track_changes(**options):
    """Record inserts, updates and deletes of the decorated model."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **options
    )
