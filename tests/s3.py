"""A real S3-compatible server for the tests: moto's, on a free port of localhost."""

from __future__ import annotations

import uuid

import boto3
from moto.server import ThreadedMotoServer

from foldcard.storage import photo_storage

REGION = "us-east-1"
# moto takes any credentials; given here, boto3 never goes looking for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "foldcard-test", "AWS_SECRET_ACCESS_KEY": "not-secret"}


def start() -> tuple[ThreadedMotoServer, str]:
    """Start the server; return it and its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


class Bucket:
    """A new, empty bucket on the server, and the site's STORAGES entry for it."""

    def __init__(self, endpoint_url: str) -> None:
        self.name = f"foldcard-{uuid.uuid4().hex[:12]}"
        self.env = {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": endpoint_url,
            "AWS_S3_REGION_NAME": REGION,
            **CREDENTIALS,
        }
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name)

    def storage(self) -> dict:
        return photo_storage(self.env)

    def objects(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return {item["Key"] for item in listing.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def files(self) -> dict[str, bytes]:
        return {key: self.read(key) for key in self.objects()}

    def is_private(self, key: str) -> bool:
        """Return whether only the bucket's owner may read the object."""
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)
