"""Fetched sources: one module per feed (polisen, scb, kolada). A fetch is an import like any
other: the feed's bytes go through the same kind module and pipeline as a file would (all or
nothing, logged in the import log, idempotent), plus the feed's state in `feed_state`."""
