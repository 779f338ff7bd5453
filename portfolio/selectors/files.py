"""The file panel of a piece of evidence (`portfolio/_files.html`): every file with its earlier versions."""

from dataclasses import dataclass, field

from centres.access import Access
from portfolio import file_types, previews
from portfolio.models import Evidence, EvidenceFile
from portfolio.permissions import can_change_evidence


@dataclass(frozen=True)
class FileVersion:
    file: EvidenceFile
    type_label: str
    viewable_inline: bool
    previewed: bool = False  # a photo browsers cannot show (HEIC): seen through a JPEG preview


@dataclass(frozen=True)
class FileRow:
    """A current file and its earlier versions, newest first."""

    current: FileVersion
    earlier: list[FileVersion] = field(default_factory=list)


@dataclass(frozen=True)
class FilePanel:
    evidence: Evidence
    rows: list[FileRow]
    may_upload: bool
    max_upload_bytes: int
    allowed_summary: str
    accept: str


def _version(evidence_file: EvidenceFile) -> FileVersion:
    return FileVersion(
        file=evidence_file,
        type_label=file_types.describe_type(evidence_file.content_type),
        viewable_inline=file_types.may_show_inline(evidence_file.content_type),
        previewed=previews.has_preview(evidence_file.content_type),
    )


def file_panel(*, access: Access, evidence: Evidence) -> FilePanel:
    """Everything `portfolio/_files.html` needs (as `file_panel`), in one query for any number of files.

    (Plus one for `evidence.enrolment` if the caller has not loaded it.)
    """
    versions = list(EvidenceFile.objects.filter(evidence=evidence).select_related("uploaded_by"))
    by_pk = {version.pk: version for version in versions}
    rows = []
    for current in (version for version in versions if version.is_current):
        current.evidence = evidence
        earlier, previous_pk = [], current.replaces_id
        while previous_pk in by_pk:
            previous = by_pk[previous_pk]
            previous.evidence = evidence
            earlier.append(_version(previous))
            previous_pk = previous.replaces_id
        rows.append(FileRow(current=_version(current), earlier=earlier))
    allowed = file_types.allowed_types()
    return FilePanel(
        evidence=evidence,
        rows=rows,
        may_upload=can_change_evidence(access, evidence),
        max_upload_bytes=file_types.max_upload_bytes(),
        allowed_summary=file_types.allowed_summary(allowed),
        accept=file_types.accept_attribute(allowed),
    )
