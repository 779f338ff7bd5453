"""A video can be seeked (#12 defect 11): file views answer `Range` requests with the bytes asked for (206), say
they accept ranges, refuse a range past the end (416) and honour `If-Range`. On S3: tests/portfolio/test_files_s3.py."""

import io

import pytest
from django.urls import reverse

from portfolio.services import files
from portfolio.uploads import check_file
from tests.factories import EnrolmentFactory, create_evidence_for
from tests.samples import MP4

VIDEO = MP4 + bytes(range(256)) * 40  # 10,296 bytes a player might seek in


@pytest.fixture
def video(db):
    evidence = create_evidence_for(EnrolmentFactory())
    with check_file(io.BytesIO(VIDEO), name="clip.mp4") as upload:
        return files.add_file(user=evidence.learner, evidence=evidence, upload=upload).evidence_file


@pytest.fixture
def learner(client, video):
    client.force_login(video.evidence.learner)
    return client


def view(client, video, **headers):
    return client.get(reverse("portfolio:file_view", args=[video.pk]), headers=headers)


def test_a_whole_file_says_it_accepts_ranges_and_names_its_content(learner, video):
    response = view(learner, video)

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{video.sha256}"'
    assert response["Content-Length"] == str(len(VIDEO))
    assert b"".join(response.streaming_content) == VIDEO


@pytest.mark.parametrize(
    ("asked", "start", "end"),
    [
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=10000-", 10000, len(VIDEO) - 1),  # from a point to the end: how a player seeks
        ("bytes=-96", len(VIDEO) - 96, len(VIDEO) - 1),  # the last bytes (an MP4's index may be there)
        ("bytes=10200-99999", 10200, len(VIDEO) - 1),  # an end past the file's is cut to the file
        ("bytes=0-0", 0, 0),
    ],
)
def test_a_range_is_answered_with_exactly_those_bytes(learner, video, asked, start, end):
    response = view(learner, video, Range=asked)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(VIDEO)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == VIDEO[start : end + 1]


def test_a_range_keeps_the_files_protective_headers(learner, video):
    response = view(learner, video, Range="bytes=0-99")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"] == 'inline; filename="clip.mp4"'


@pytest.mark.parametrize("asked", [f"bytes={len(VIDEO)}-", "bytes=99999-100000", "bytes=-0"])
def test_a_range_past_the_end_is_refused_with_the_files_size(learner, video, asked):
    response = view(learner, video, Range=asked)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(VIDEO)}"


@pytest.mark.parametrize("asked", ["bytes=0-1,5-6", "bytes=20-10", "lines=1-2", "bytes=x-"])
def test_several_ranges_or_a_range_not_understood_get_the_whole_file(learner, video, asked):
    response = view(learner, video, Range=asked)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == VIDEO


def test_if_range_with_the_files_etag_gets_the_range(learner, video):
    response = view(learner, video, Range="bytes=100-199", If_Range=f'"{video.sha256}"')

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == VIDEO[100:200]


@pytest.mark.parametrize(
    "validator", ['"0000"', "Tue, 01 Dec 2026 10:00:00 GMT", 'W/"{sha}"'], ids=["other", "date", "weak"]
)
def test_if_range_that_does_not_match_gets_the_whole_file(learner, video, validator):
    """A client resuming a file that has changed since gets the new one whole, never a splice of two."""
    response = view(learner, video, Range="bytes=100-199", If_Range=validator.format(sha=video.sha256))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == VIDEO


def test_downloads_are_resumable_too(learner, video):
    response = learner.get(
        reverse("portfolio:file_download", args=[video.pk]), headers={"Range": "bytes=50-"}
    )

    assert response.status_code == 206
    assert response["Content-Disposition"] == 'attachment; filename="clip.mp4"'
    assert b"".join(response.streaming_content) == VIDEO[50:]


def test_a_range_of_someone_elses_file_is_not_found(client, video):
    client.force_login(EnrolmentFactory().learner)

    response = view(client, video, Range="bytes=0-99")

    assert response.status_code == 404


def test_a_file_lost_by_storage_is_not_found_for_a_range_either(learner, video):
    video.file.storage.delete(video.file.name)

    response = view(learner, video, Range="bytes=0-99")

    assert response.status_code == 404
