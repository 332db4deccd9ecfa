"""The store: engine, typed models, Alembic migrations and the refresh of aggregate tables."""
