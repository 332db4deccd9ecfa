"""The query layer: every number a page shows comes from here, aggregated in SQL and suppressed."""
