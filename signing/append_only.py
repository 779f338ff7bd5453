"""Rows that carry a signature are never updated or deleted: voiding or reopening is a new row pointing at the old.

On PostgreSQL the database refuses too (triggers in the apps' migrations); on SQLite, which has no such triggers
in this project, the model and its queryset refuse. Django's cascade deletes go around both (the database's
trigger still stops them on PostgreSQL); every foreign key to a signed row is PROTECT.
"""

from typing import Any, Protocol, TypeVar, cast

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a signed row, with what to do instead."""


class _QuerysetOnly(Protocol):
    queryset_only: bool


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """`update()` and `delete()` on many rows at once are refused like `save()` and `delete()` on one."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name_plural} are signed: never changed, add a new row"
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} are signed: never deleted")

    # as Django marks `QuerySet.delete`, so that the manager has no `delete()` (as audit's queryset does)
    cast(_QuerysetOnly, delete).queryset_only = True


class AppendOnlyModel(models.Model):
    """A row written once: `save()` inserts, never updates; `delete()` is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(
                f"{self._meta.verbose_name} #{self.pk} is signed and is never changed: add a new row that points at it"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.verbose_name} #{self.pk} is signed and is never deleted")
