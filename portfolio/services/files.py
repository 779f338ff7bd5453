"""The files of a piece of evidence: adding, replacing (a new version; the old one is kept) and the file panel.

Files go through the storage API only (the FileField and its storage), so an S3-compatible backend works as
the local one does. A file is stored before its row is written, outside the row lock (storing a large file to S3
takes a while), and removed again if the row is not written: nothing is left half-way. Each function that
changes state is one transaction; a refusal raises `PortfolioError` with a message a person can act on.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import User
from audit.services import record
from portfolio import file_types
from portfolio.models import Evidence, EvidenceFile
from portfolio.services import PortfolioError
from portfolio.uploads import CheckedUpload


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one uploaded file: added (perhaps with a notice), or refused with the reason."""

    name: str
    evidence_file: EvidenceFile | None = None
    error: str = ""
    notice: str = ""

    @property
    def ok(self) -> bool:
        return self.evidence_file is not None

    @property
    def message(self) -> str:
        evidence_file = self.evidence_file
        if evidence_file is None:
            return self.error
        reference = evidence_file.evidence.reference
        replaced = evidence_file.replaces
        done = (
            f"“{evidence_file.original_name}” replaces “{replaced.original_name}” in {reference}; "
            "the earlier version is kept."
            if replaced is not None
            else f"“{evidence_file.original_name}” added to {reference}."
        )
        return f"{done} {self.notice}" if self.notice else done


def _refuse_unless_editable(evidence: Evidence, user: User) -> None:
    """The rules of `can_change_evidence`, as messages a person can act on."""
    if user.pk != evidence.learner_id:
        raise PortfolioError("Only the learner can add or replace files in their evidence.")
    if not evidence.is_editable:
        raise PortfolioError(
            f"{evidence.reference} is {evidence.get_status_display().lower()}: its files cannot be changed "
            "until the assessor refers it back."
        )
    if not evidence.enrolment.is_active:
        raise PortfolioError(
            f"This enrolment is {evidence.enrolment.get_status_display().lower()}: its evidence cannot be changed."
        )


def _check_upload(upload: CheckedUpload) -> None:
    """The handler has checked these already; the service holds the same line for any other caller."""
    if not upload.sha256 or upload.size <= 0:
        raise PortfolioError(f"“{upload.display_name}” is empty or was not received whole: choose it again.")
    if upload.size > file_types.max_upload_bytes():
        raise PortfolioError(f"“{upload.display_name}” is larger than the limit for one file.")
    if upload.content_type not in file_types.allowed_types():
        raise PortfolioError(f"“{upload.display_name}” is not a type of file that can be uploaded.")


def _refuse_duplicate(
    evidence: Evidence, upload: CheckedUpload, *, replacing: EvidenceFile | None = None
) -> None:
    """The same content twice among the current files of one piece of evidence is refused, naming the file."""
    existing = EvidenceFile.objects.filter(evidence=evidence, sha256=upload.sha256, is_current=True).first()
    if existing is None:
        return
    if replacing is not None and existing.pk == replacing.pk:
        raise PortfolioError(
            f"“{upload.display_name}” has the same content as the current version of “{existing.original_name}”: "
            "there is nothing to replace."
        )
    raise PortfolioError(
        f"“{upload.display_name}” was not added: it has the same content as “{existing.original_name}”, already "
        f"in {evidence.reference}."
    )


def _elsewhere_notice(evidence: Evidence, upload: CheckedUpload) -> str:
    """The same content in another piece of the learner's evidence is allowed, and pointed out."""
    other = (
        EvidenceFile.objects.filter(evidence__learner_id=evidence.learner_id, sha256=upload.sha256)
        .exclude(evidence=evidence)
        .select_related("evidence")
        .order_by("-is_current", "evidence__number", "pk")
        .first()
    )
    if other is None:
        return ""
    return (
        f"It has the same content as “{other.original_name}” in {other.evidence.reference}: if it is the same "
        f"piece of work, you could map {other.evidence.reference} to more criteria instead of uploading it twice."
    )


def _file_values(evidence_file: EvidenceFile) -> dict[str, object]:
    """A file as its audit entries show it: the name it was uploaded with, its size, type and SHA-256."""
    return {
        "name": evidence_file.original_name,
        "size": evidence_file.size,
        "content_type": evidence_file.content_type,
        "sha256": evidence_file.sha256,
    }


def _lock(evidence: Evidence, user: User) -> Evidence:
    """The evidence row, locked and checked again: it may have been submitted while the file was stored."""
    locked = Evidence.objects.select_for_update(of=("self",)).select_related("enrolment").get(pk=evidence.pk)
    _refuse_unless_editable(locked, user)
    return locked


def _stored(evidence: Evidence, user: User, upload: CheckedUpload) -> EvidenceFile:
    """An unsaved row whose file is already in storage, under a name of our own (`evidence_file_path`)."""
    evidence_file = EvidenceFile(
        evidence=evidence,
        original_name=upload.display_name,
        size=upload.size,
        content_type=upload.content_type,
        sha256=upload.sha256,
        uploaded_by=user,
    )
    # FileSystemStorage moves a temporary upload into place; other storages stream it in chunks.
    evidence_file.file.save(f"upload{file_types.storage_suffix(upload.content_type)}", upload, save=False)
    return evidence_file


@contextmanager
def _removed_on_failure(evidence_file: EvidenceFile) -> Iterator[None]:
    """Around the database writes for a stored file: if they do not happen, the stored file goes too."""
    try:
        yield
    except IntegrityError:
        evidence_file.file.delete(save=False)
        raise PortfolioError(
            f"“{evidence_file.original_name}” was not saved: the files of {evidence_file.evidence.reference} "
            "changed at the same moment (another upload or replacement). Reload the page and try again."
        ) from None
    except BaseException:
        evidence_file.file.delete(save=False)
        raise


def add_file(*, user: User, evidence: Evidence, upload: CheckedUpload) -> FileOutcome:
    """Add one file to a learner's draft (or referred) evidence; the same content twice in it is refused."""
    _check_upload(upload)
    _refuse_unless_editable(evidence, user)
    _refuse_duplicate(evidence, upload)  # before storing anything; checked again under the lock
    evidence_file = _stored(evidence, user, upload)
    with _removed_on_failure(evidence_file), transaction.atomic():
        locked = _lock(evidence, user)
        _refuse_duplicate(locked, upload)
        notice = _elsewhere_notice(locked, upload)
        evidence_file.evidence = locked
        evidence_file.save()
        record(
            actor=user,
            action="file.added",
            summary=f"“{evidence_file.original_name}” added to {locked.reference}",
            subject=evidence_file,
            learner=locked.learner_id,
            centre=locked.centre_id,
            after=_file_values(evidence_file),
        )
    return FileOutcome(name=upload.display_name, evidence_file=evidence_file, notice=notice)


def add_files(*, user: User, evidence: Evidence, uploads: Iterable[CheckedUpload]) -> list[FileOutcome]:
    """Add several files, each in its own transaction: one refused file does not lose the others."""
    outcomes = []
    for upload in uploads:
        try:
            outcomes.append(add_file(user=user, evidence=evidence, upload=upload))
        except PortfolioError as error:
            outcomes.append(FileOutcome(name=upload.display_name, error=str(error)))
    return outcomes


def replace_file(*, user: User, evidence_file: EvidenceFile, upload: CheckedUpload) -> FileOutcome:
    """A new version of a file: the old row and its stored file are kept, no longer current; the new one `replaces` it."""
    _check_upload(upload)
    evidence = evidence_file.evidence
    _refuse_unless_editable(evidence, user)
    if not evidence_file.is_current:
        raise PortfolioError(
            f"“{evidence_file.original_name}” has already been replaced by a newer version: replace that one."
        )
    _refuse_duplicate(evidence, upload, replacing=evidence_file)
    new_version = _stored(evidence, user, upload)
    with _removed_on_failure(new_version), transaction.atomic():
        locked = _lock(evidence, user)
        old = EvidenceFile.objects.select_for_update().get(pk=evidence_file.pk)
        if not old.is_current:
            raise PortfolioError(
                f"“{old.original_name}” has just been replaced by a newer version: reload the page and replace "
                "that one."
            )
        _refuse_duplicate(locked, upload, replacing=old)
        notice = _elsewhere_notice(locked, upload)
        old.is_current = False
        old.save(update_fields=["is_current"])
        new_version.evidence = locked
        new_version.replaces = old
        new_version.save()
        record(
            actor=user,
            action="file.replaced",
            summary=f"“{new_version.original_name}” replaces “{old.original_name}” in {locked.reference}; the "
            "earlier version is kept",
            subject=new_version,
            learner=locked.learner_id,
            centre=locked.centre_id,
            before=_file_values(old),
            after=_file_values(new_version),
        )
    return FileOutcome(name=upload.display_name, evidence_file=new_version, notice=notice)
