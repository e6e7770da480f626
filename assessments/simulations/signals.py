"""Announcements for higher apps (certification listens; nothing here imports them)."""

from django.dispatch import Signal

# Sent (on commit) when a run ends, passed or not: run_finished.send(sender=Run, user=, scenario=, run=)
run_finished = Signal()
