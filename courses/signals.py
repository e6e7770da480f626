"""Signals courses sends to higher apps. Sent inside the writing transaction: listeners that
do work should defer it with ``transaction.on_commit``.

- ``course_completed(sender=CoursePage, user=..., course=...)``: once per learner and course.
- ``hours_credited(sender=CpdEntry, user=..., entry=...)``: once per new ledger entry.
"""

from django.dispatch import Signal

course_completed = Signal()
hours_credited = Signal()
