"""S3-compatible storage for every stored file (evidence, exports, HEIC previews, confirmed completion records),
through django-storages (`pip install '.[s3]'`), so that no instance of the app keeps state on its own disk. Files
are still served only through the permission-checking views, streamed by the app, never from a bucket URL.

    S3_BUCKET             the bucket; setting it moves file storage from MEDIA_ROOT to the bucket
    S3_ENDPOINT_URL       the service's endpoint for non-AWS services (MinIO, Ceph, Garage, …); empty for AWS
    S3_REGION             the bucket's region, e.g. eu-west-2; empty for the service's default
    S3_ACCESS_KEY_ID      access key; empty to use boto3's own chain (environment, ~/.aws, instance role)
    S3_SECRET_ACCESS_KEY  the secret for S3_ACCESS_KEY_ID

Files are written with boto3's managed transfer: a file over 8 MiB goes as a multipart upload in 8 MiB parts.
"""

from typing import Any

from config.env import env_str


def s3_storage() -> dict[str, Any] | None:
    """The `STORAGES["default"]` entry for the bucket; None when S3_BUCKET is not set (files in MEDIA_ROOT)."""
    if not env_str("S3_BUCKET"):
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "querystring_auth": True,
            # a name already taken gets a new one (two exports in the same minute), as on local disk
            "file_overwrite": False,
            # a file read through storage (an export packing evidence, a HEIC preview) spools to a temporary
            # file beyond 8 MiB instead of memory; downloads never spool (portfolio/downloads.py streams them)
            "max_memory_size": 8 * 1024 * 1024,
        },
    }
