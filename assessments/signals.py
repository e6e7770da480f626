"""Signals assessments sends for higher apps (certification listens; nothing here imports it)."""

from django.dispatch import Signal

# Sent after the transaction commits, when an attempt's released result is a pass.
# Arguments: user, exam, attempt.
exam_passed = Signal()
