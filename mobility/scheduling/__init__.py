"""Scheduled work: APScheduler in its own process (`flask --app mobility scheduler run`).

Jobs are catch-up queries whose side effects are idempotent (outbox rows with a unique key);
see `docs/scheduler.md`.
"""
