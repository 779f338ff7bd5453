"""Sent when the jobs of a stopped worker are marked failed, so that the floors that queued them can say so."""

from django.dispatch import Signal

# Sent with `task_ids` (the django.tasks result ids, as strings) and `reason` (words for a person).
tasks_abandoned = Signal()
