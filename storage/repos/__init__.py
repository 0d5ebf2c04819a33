"""One repository per aggregate, each implementing its Protocol from ``bot.ports.storage`` on one connection.

The SQL here is what SQLite and PostgreSQL share (standard ``ON CONFLICT``, ``RETURNING``, ``CASE``); what only
SQLite needs (pragmas, ``BEGIN IMMEDIATE``, running statements in place) lives in :mod:`storage.sqlite`.
"""
