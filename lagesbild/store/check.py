"""Check and repair the marts: `python -m lagesbild check` and `python -m lagesbild rebuild-marts`.

The check copies every mart table (every table named mart_*, all of its columns, whatever they
are) into temporary tables, rebuilds the marts from the stored incidents in the same
transaction, compares the two with EXCEPT both ways and rolls everything back: the store is
never changed. It also checks invariants that hold whatever the marts' code does:
the marts' sums equal the incidents' count, the weekly running totals are the running sums of
the weekly counts, and every incident's area and category exist.

Both hold the store's write lock (lagesbild.store.locks) so that no import commits in between.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, inspect, text

from lagesbild import logs
from lagesbild.store.locks import take_write_lock
from lagesbild.store.marts import refresh_marts

MART_PREFIX = "mart_"
log = logs.get("check")
EXAMPLES = 3
# (what must hold, SQL counting the rows that break it)
INVARIANTS: list[tuple[str, str]] = [
    ("weekly counts sum to the incidents' count (veckosummor = antal händelser)",
     "SELECT ABS(COALESCE((SELECT SUM(n) FROM mart_incident_week), 0) - "
     "COALESCE((SELECT SUM(count) FROM incidents), 0))"),
    ("monthly totals sum to the incidents' count (månadstotaler = antal händelser)",
     "SELECT ABS(COALESCE((SELECT SUM(n) FROM mart_incident_month_total), 0) - "
     "COALESCE((SELECT SUM(count) FROM incidents), 0))"),
    ("weekly running totals are the running sums (löpande summor stämmer)",
     "SELECT COUNT(*) FROM (SELECT cum, SUM(n) OVER (PARTITION BY area_id, category_id, source "
     "ORDER BY week_start ROWS UNBOUNDED PRECEDING) AS running FROM mart_incident_week) w "
     "WHERE w.cum <> w.running"),
    ("monthly running totals are the running sums (löpande månadssummor stämmer)",
     "SELECT COUNT(*) FROM (SELECT cum, kcum, SUM(n) OVER (PARTITION BY area_id, category_id, source "
     "ORDER BY month_start ROWS UNBOUNDED PRECEDING) AS running, SUM(ksum) OVER (PARTITION BY area_id, "
     "category_id, source ORDER BY month_start ROWS UNBOUNDED PRECEDING) AS krunning "
     "FROM mart_incident_month_total) m WHERE m.cum <> m.running OR m.kcum <> m.krunning"),
    ("every incident's area exists (områden finns)",
     "SELECT COUNT(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.id = i.area_id)"),
    ("every incident's category exists (kategorier finns)",
     "SELECT COUNT(*) FROM incidents i WHERE NOT EXISTS "
     "(SELECT 1 FROM categories c WHERE c.id = i.category_id)"),
]


@dataclass
class TableDifference:
    table: str
    stored_only: int  # rows in the stored mart that a rebuild does not give
    rebuilt_only: int  # rows a rebuild gives that the stored mart lacks
    examples: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    tables: list[str]
    differences: list[TableDifference]
    violations: list[tuple[str, int]]  # (invariant, rows breaking it)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.violations

    def text(self) -> str:
        if self.ok:
            return (f"OK: {len(self.tables)} sammanställningar (marts) stämmer med en ombyggnad från "
                    f"händelserna och {len(INVARIANTS)} invarianter håller.")
        lines = ["FEL: sammanställningarna stämmer inte (the marts are wrong):"]
        for d in self.differences:
            lines.append(f"- {d.table}: {d.stored_only} rader som en ombyggnad inte ger (stored only), "
                         f"{d.rebuilt_only} rader som saknas (missing)")
            lines += [f"    {e}" for e in d.examples]
        lines += [f"- bryter mot (violated): {name}: {n}" for name, n in self.violations]
        lines.append("Reparera med: python -m lagesbild rebuild-marts")
        return "\n".join(lines)


def mart_tables(conn: Connection) -> list[str]:
    return sorted(t for t in inspect(conn).get_table_names() if t.startswith(MART_PREFIX))


def check_store(engine: Engine) -> CheckReport:
    """Compare the marts with a rebuild and check the invariants; changes nothing."""
    with engine.connect() as conn:
        with conn.begin() as transaction:
            take_write_lock(conn)
            tables = mart_tables(conn)
            violations = [(name, n) for name, sql in INVARIANTS if (n := conn.execute(text(sql)).scalar())]
            for table in tables:
                conn.execute(text(f'CREATE TEMP TABLE "chk_{table}" AS SELECT * FROM "{table}"'))
            refresh_marts(conn)
            differences = [d for d in (_difference(conn, t) for t in tables) if d]
            transaction.rollback()
    log.info("check %s: tables=%d differing=%s violated=%d", "ok" if not differences and not violations else "FAILED",
             len(tables), ",".join(d.table for d in differences) or "-", len(violations))
    return CheckReport(tables, differences, violations)


def _difference(conn: Connection, table: str) -> TableDifference | None:
    stored = f'SELECT * FROM "chk_{table}" EXCEPT SELECT * FROM "{table}"'
    rebuilt = f'SELECT * FROM "{table}" EXCEPT SELECT * FROM "chk_{table}"'
    n_stored = conn.execute(text(f"SELECT COUNT(*) FROM ({stored}) d")).scalar()
    n_rebuilt = conn.execute(text(f"SELECT COUNT(*) FROM ({rebuilt}) d")).scalar()
    if not n_stored and not n_rebuilt:
        return None
    examples = [f"stored:  {_row(r)}" for r in conn.execute(text(f"{stored} LIMIT {EXAMPLES}")).mappings()]
    examples += [f"rebuilt: {_row(r)}" for r in conn.execute(text(f"{rebuilt} LIMIT {EXAMPLES}")).mappings()]
    return TableDifference(table, n_stored, n_rebuilt, examples)


def _row(mapping) -> str:
    return ", ".join(f"{k}={v}" for k, v in mapping.items())


def rebuild_marts(engine: Engine) -> int:
    """Rebuild every mart from the stored incidents (one transaction); returns the events counted."""
    with engine.begin() as conn:
        take_write_lock(conn)
        refresh_marts(conn)
        events = int(conn.execute(text("SELECT COALESCE(SUM(count), 0) FROM incidents")).scalar())
    log.info("rebuild-marts: events=%d", events)
    return events
