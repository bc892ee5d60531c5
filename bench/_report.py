"""What a benchmark reports to ``bench/run_all.py`` (``make bench``).

Every script in ``bench/`` takes ``--report FILE`` and, when given it,
appends one JSON object per measured row to FILE::

    {"bench": "settlement_month", "measure": "settle the month (11 runs)",
     "value": "27.1 s", "target": "≤ 60 s", "met": true}

``target`` is empty and ``met`` is null for a row that only describes
the data. The runner prints every row of every script as one table.
"""

from __future__ import annotations

import json
from pathlib import Path


def add_report_argument(parser) -> None:
    parser.add_argument("--report", type=Path,
                        help="append the result rows as JSON lines to this file (make bench)")


def row(measure: str, value: str, target: str = "", met: bool | None = None) -> dict:
    return {"measure": measure, "value": value, "target": target, "met": met}


def write_report(path: Path | None, bench: str, rows: list[dict]) -> None:
    if path is None:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        for line in rows:
            out.write(json.dumps({"bench": bench, **line}, ensure_ascii=False) + "\n")
