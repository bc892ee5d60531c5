"""An embedded PostgreSQL for machines with nothing but Python.

When no DATABASE_URL is set, settings call ``embedded_database()``: the
``pgserver`` package ships real PostgreSQL binaries and runs a private server
in ``.data/postgres`` under the project, listening on a Unix socket only.
PostgreSQL stays the only database the project supports.
"""

import contextlib
from pathlib import Path

DATABASE_NAME = "eldercare"

# The handle keeps the server alive for as long as this process runs.
_server = None


def embedded_database(data_dir: Path) -> dict:
    """Start (or join) the embedded server and return a DATABASES entry."""
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded PostgreSQL package "
            "'pgserver' is not installed. Run 'python3 scripts/dev.py run' "
            "or set DATABASE_URL=postgres://user@host:5432/dbname."
        ) from exc
    import psycopg2
    import psycopg2.errors

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # 'stop' shuts the server down when the last process using it exits.
    global _server
    _server = pgserver.get_server(data_dir, cleanup_mode="stop")
    socket_dir = str(data_dir)
    # psycopg2 2.9 opens a transaction in "with conn", even in autocommit,
    # and CREATE DATABASE refuses to run inside one: manage it by hand.
    conn = psycopg2.connect(dbname="postgres", user="postgres", host=socket_dir)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                # another process may create it at the same moment
                with contextlib.suppress(psycopg2.errors.DuplicateDatabase):
                    cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": "",
    }
