"""Where files are kept: card photos in the media folder, or an S3 bucket when one is
configured; static files as whitenoise's compressed, hashed copies.

A bucket lets several web servers (and a new machine) see the same photos. The photos are
personal data: the objects are private and no URL to them is ever handed out; the
login-checked view `events-card-photo` reads them through the storage and streams them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from whitenoise.storage import CompressedManifestStaticFilesStorage

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def photo_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """Return the STORAGES["default"] entry that the environment ``env`` asks for.

    AWS_STORAGE_BUCKET_NAME switches to S3; AWS_S3_ENDPOINT_URL points at an S3-compatible
    server instead of Amazon's, AWS_S3_REGION_NAME names the region, and
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are the credentials (when unset, boto3 looks
    for them where it always does: its config files, the instance's role).
    """
    bucket = env.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return FILESYSTEM
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env.get("AWS_S3_REGION_NAME") or None,
            "access_key": env.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env.get("AWS_SECRET_ACCESS_KEY") or None,
            # No ACL is sent: objects are private by default, and a bucket with ACLs
            # disabled (Amazon's default for new buckets) refuses uploads that name one,
            # even "private".
            "default_acl": None,
            # Should a URL ever be asked for, it is signed and expires; nothing links to one.
            "querystring_auth": True,
            # Every card's photo is named card.jpg: overwriting would give one card another's
            # photo. Taken names get a suffix, as in the media folder.
            "file_overwrite": False,
        },
    }


class Unavailable(Exception):
    """The photo storage failed to keep or give a file: a bucket gone or refusing the
    credentials, no network to it, a full or read-only disk."""


@contextmanager
def reached() -> Iterator[None]:
    """Raise Unavailable for what the photo storage fails to do inside the block (the media
    folder's OSError, S3's errors), so that the request is answered 503 and says so."""
    try:
        yield
    except (OSError, BotoCoreError, ClientError) as e:
        raise Unavailable(str(e)) from e


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Also rewrite the paths of JavaScript ``import … from`` statements to hashed names.

    A page loads its entry module by its hashed name; the modules it imports must be the
    copies collected with it, not whatever an unhashed name held when a browser cached it.
    """

    support_js_module_import_aggregation = True
