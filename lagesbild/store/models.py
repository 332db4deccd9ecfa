"""Typed SQLAlchemy 2 models. Layers by name: reference tables, staging rows, mart_* aggregates.

Schema changes go through Alembic migrations in lagesbild/store/migrations, never by hand.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData,
                        SmallInteger, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- reference: areas and taxonomy -------------------------------------------------------------

class Area(Base):
    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16))  # kommun, kommundel, omrade, okant
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    kommundel_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    socioeconomic_type: Mapped[int | None] = mapped_column(SmallInteger)
    geometry_geojson: Mapped[str | None] = mapped_column(Text)
    geometry_schematic: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class AreaPopulation(Base):
    __tablename__ = "area_population"
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    strategic_area: Mapped[str] = mapped_column(String(40))
    pyramid_level: Mapped[int | None] = mapped_column(SmallInteger)
    sensitivity: Mapped[str] = mapped_column(String(16))  # person, plats
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CategoryFocus(Base):
    __tablename__ = "category_focus"
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    focus_area: Mapped[str] = mapped_column(String(40), primary_key=True)


class SourceCategory(Base):
    __tablename__ = "source_categories"
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_category: Mapped[str] = mapped_column(String(160), primary_key=True)  # normalised
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))  # None: ignored


class MetaInfo(Base):
    __tablename__ = "meta_info"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- staging: validated, anonymised rows ------------------------------------------------------

class ImportLog(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(260))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    imported_by: Mapped[str | None] = mapped_column(String(120))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # ok, refused
    message: Mapped[str] = mapped_column(Text, default="")


class Incident(Base):
    """One event as the source reported it (anonymised). Written in bulk by the loaders and read
    only to rebuild the marts: no calendar columns, no surrogate id and no foreign keys, so that a
    county's millions of rows import fast (migration 0003). The loader takes category_id, area_id
    and import_id from their tables in the same transaction."""
    __tablename__ = "incidents"
    # occurred_at is indexed for reading weeks again (migration 0009), import_id for reading an
    # import's rows into the copy in memory (lagesbild.queries.facts, migration 0012).
    __table_args__ = (Index("ix_incidents_occurred_at", "occurred_at"), Index("ix_incidents_import_id", "import_id"),
                      {"sqlite_with_rowid": False})
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)  # local time, to the minute at most
    source_category: Mapped[str] = mapped_column(String(160))  # normalised: casefold, one space
    category_id: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[int] = mapped_column(Integer)
    cell_e: Mapped[int | None] = mapped_column(Integer)  # 250 m SWEREF99 TM cell, lower-left corner
    cell_n: Mapped[int | None] = mapped_column(Integer)
    place_type: Mapped[str] = mapped_column(String(32), default="okänd")
    age_group: Mapped[str] = mapped_column(String(8), default="okänd")
    count: Mapped[int] = mapped_column(Integer, default=1)
    import_id: Mapped[int | None] = mapped_column(Integer)
    rkey: Mapped[int] = mapped_column(Integer, server_default="0")  # record key (lagesbild.privacy)


class SafetyWalk(Base):
    __tablename__ = "safety_walks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    walk_key: Mapped[str] = mapped_column(String(64), unique=True)
    walked_on: Mapped[dt.date] = mapped_column(Date)
    light: Mapped[str] = mapped_column(String(16))  # dagsljus, mörker
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    organisations: Mapped[str] = mapped_column(Text, default="")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class Observation(Base):
    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("safety_walks.id"))
    obs_key: Mapped[str] = mapped_column(String(64), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    cell_e: Mapped[int | None] = mapped_column(Integer)
    cell_n: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    proposed_action: Mapped[str] = mapped_column(Text, default="")
    responsible_actor: Mapped[str] = mapped_column(String(80))
    priority: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # ny, planerad, åtgärdad, avslagen
    status_reason: Mapped[str] = mapped_column(Text, default="")
    fixed_on: Mapped[dt.date | None] = mapped_column(Date)
    protocol_date: Mapped[dt.date | None] = mapped_column(Date)  # of the protocol that set the fields (0005)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class HousingFigure(Base):
    __tablename__ = "housing_figures"
    __table_args__ = (UniqueConstraint("source", "area_id", "period_start", "period_kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    period_kind: Mapped[str] = mapped_column(String(8))  # month, quarter
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    apartments: Mapped[int] = mapped_column(Integer)
    vacant: Mapped[int] = mapped_column(Integer)
    moves_out: Mapped[int] = mapped_column(Integer)
    disturbance_cases: Mapped[int] = mapped_column(Integer)
    damage: Mapped[int] = mapped_column(Integer)
    evictions: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    rkey: Mapped[int] = mapped_column(Integer, server_default="0")  # record key (lagesbild.privacy)


# --- marts: aggregates the pages read, refreshed after every change ---------------------------

class MartIncidentWeek(Base):
    """Events per week, area, category and source, with `cum`: the running total of the same
    area, category and source up to and including the week. Any period's count is then the
    difference of two running totals, read by two index lookups (ix_mart_incident_week_cum)."""
    __tablename__ = "mart_incident_week"
    __table_args__ = (Index("ix_mart_incident_week_area", "area_id", "week_start"),
                      Index("ix_mart_incident_week_cum", "area_id", "category_id", "source", "week_start", "cum", "kcum"),
                      {"sqlite_with_rowid": False})
    week_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    iso_year: Mapped[int] = mapped_column(SmallInteger)
    iso_week: Mapped[int] = mapped_column(SmallInteger)
    n: Mapped[int] = mapped_column(Integer)
    cum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    ksum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    kcum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class MartIncidentCombo(Base):
    """Every (area, category, source) that has events: the rows of a running-total query."""
    __tablename__ = "mart_incident_combo"
    __table_args__ = {"sqlite_with_rowid": False}  # one B-tree per row (migration 0003)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)


class MartIncidentMonthTotal(Base):
    """Events per month, area, category and source (the monthly mart without place type and age
    group, about a tenth of its size): months, quarters and years read this one. `cum` and `kcum`
    are running totals as in the weekly mart: a count up to a month's end is one index lookup
    (ix_mart_incident_month_total_cum, migration 0010)."""
    __tablename__ = "mart_incident_month_total"
    __table_args__ = (Index("ix_mart_incident_month_total_cum", "area_id", "category_id", "source", "month_start",
                            "cum", "kcum"),
                      {"sqlite_with_rowid": False})  # one B-tree per row (migration 0003)
    month_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    ksum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    cum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    kcum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ChangedWeeks(Base):
    """The marts' change log (migration 0012): one row per write of the marts, with the weeks it
    touched (`first_week`..`last_week`; both NULL: every week, a rebuild), the import whose rows
    it added (`import_id`) and the transaction's data version (`token`, meta_info.data_version).
    What keeps the copy of the incidents in memory in step with the store (lagesbild.queries.facts)
    without reading it all again."""
    __tablename__ = "changed_weeks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), default="")
    first_week: Mapped[dt.date | None] = mapped_column(Date)
    last_week: Mapped[dt.date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(Integer)


# --- feeds: fetched sources and their state (migration 0008, issue 16) -------------------------

class FeedState(Base):
    """One row per fetched feed (polisen, scb, kolada): when it was last tried and last succeeded,
    and the times of its calls in the last hour (the feed's rate limit holds across processes:
    a cron job and the "Hämta nu" button share it)."""
    __tablename__ = "feed_state"
    feed: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_status: Mapped[str] = mapped_column(String(16), default="")  # ok, fel
    last_message: Mapped[str] = mapped_column(Text, default="")
    last_import_id: Mapped[int | None] = mapped_column(Integer)
    recent_calls: Mapped[str] = mapped_column(Text, default="")  # ISO times, comma-separated


class KoladaValue(Base):
    """A Kolada key figure (api.kolada.se v3) per municipality (kommun, county '00NN' or the
    country '0000'), year and gender (T total, K women, M men). Fetched, not imported from files."""
    __tablename__ = "kolada_values"
    kpi: Mapped[str] = mapped_column(String(16), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    gender: Mapped[str] = mapped_column(String(1), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    import_id: Mapped[int | None] = mapped_column(Integer)


class AreaPopulationBand(Base):
    """Population of an age band (e.g. '12-20' for youth rates) per area and year; all ages stay
    in area_population."""
    __tablename__ = "area_population_band"
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    band: Mapped[str] = mapped_column(String(8), primary_key=True)
    population: Mapped[int] = mapped_column(Integer)


# --- access: users (fallback roles) and the audit trail (migration 0007) -----------------------

class User(Base):
    """A person who signed in, under a pseudonym (lagesbild.access.identity.pseudonym). `label` is
    the only personal data the store holds (name or e-mail from the identity provider, so that an
    administratör can tell who a pseudonym is); `organisation` and `roles` are the fallback used
    when the identity provider sends no group/role claim that data/access/roles.toml maps."""
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str | None] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(200), default="")  # comma-separated role names
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_sign_in: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the ID token's iat


class AuditEvent(Base):
    """Who did what when: append-only for the application (lagesbild.audit; migration 0007 adds
    triggers that refuse UPDATE and DELETE on both backends)."""
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)  # users.subject (a pseudonym)
    organisation: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # ok, nekad, avvisad
    detail: Mapped[str] = mapped_column(Text, default="")


# --- actions (insatser) and outcome indicators (migration 0006) -------------------------------

class Action(Base):
    """An action decided at the weekly meeting (an insats in the EST cycle). The problem it answers
    is kept as codes: `area_codes` (områden or kommundelar) and `targets` (category codes, or
    'strategic:<code>' / 'focus:<code>'), '; '-separated, as the CSV export writes them; the
    safety-walk observations it addresses as obs keys. Few rows: read whole, filtered in Python."""
    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_key: Mapped[str] = mapped_column(String(64), unique=True)  # 'I-0007': the id in exports
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40))
    responsible_actor: Mapped[str] = mapped_column(String(80))
    area_codes: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[str] = mapped_column(Text, default="")
    observation_keys: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # planerad, pågår, avslutad, avbruten
    status_reason: Mapped[str] = mapped_column(Text, default="")
    est_step: Mapped[str] = mapped_column(String(16))  # kartläggning, analys, insats, uppföljning, återkoppling
    decided_on: Mapped[dt.date] = mapped_column(Date)  # the meeting; its ISO week is "decided in week"
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)  # next återkoppling due
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ActionNote(Base):
    """A follow-up note (återkoppling) on an action, with its date."""
    __tablename__ = "action_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(1000))
    changed_by: Mapped[str | None] = mapped_column(String(120))


class ActionChange(Base):
    """The history of an action: one row per changed field (who: filled in by sign-in, issue 15)."""
    __tablename__ = "action_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_by: Mapped[str | None] = mapped_column(String(120))
    via: Mapped[str] = mapped_column(String(16))  # app, import, demo
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class OutcomeIndicator(Base):
    """A yearly outcome indicator value (seed 003: graduation, suspected violent crime 12–20 …) for
    a region: the kommun, an area, or the comparison the source gives (county 'lan', 'riket')."""
    __tablename__ = "outcome_indicators"
    __table_args__ = (UniqueConstraint("indicator", "region_code", "year", "gender"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64))  # e.g. a Kolada KPI id 'N17461'
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(32))  # '0127', an area code, '0001' (län) …
    region_kind: Mapped[str] = mapped_column(String(16))  # kommun, omrade, kommundel, lan, riket
    region_name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(SmallInteger)
    gender: Mapped[str] = mapped_column(String(1), default="T")  # T total, K, M (as Kolada)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    strategic_area: Mapped[str | None] = mapped_column(String(40))
    focus_area: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(200))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
