"""Scheduled jobs as plain functions of a moment: nudges, reminders, digests, feedback, housekeeping."""
