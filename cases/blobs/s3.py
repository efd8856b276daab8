"""The `s3` file backend: encrypted files as objects of an S3-compatible bucket (AWS S3,
MinIO, Ceph RGW …), for deployments whose files outgrow a database. Client: boto3.

Object keys are `prefix` + `ab/cd/<address>`. A PUT is atomic per object: a reader sees
the whole file or none. The bucket is the operator's to create (with versioning or object
lock as the site's rules want); `main.py doctor` says when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from cases.blobs.local import check_address

if TYPE_CHECKING:
    from app.settings import S3Settings, Settings

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Blobs:
    name = "s3"

    def __init__(self, s3: S3Settings) -> None:
        self.bucket = s3.bucket
        self.prefix = s3.prefix
        self._where = f"s3://{s3.bucket}/{s3.prefix}" + (
            f" at {s3.endpoint_url}" if s3.endpoint_url else ""
        )
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=s3.endpoint_url or None,
            region_name=s3.region,
            aws_access_key_id=s3.access_key_id.get_secret_value(),
            aws_secret_access_key=s3.secret_access_key.get_secret_value(),
            config=Config(
                s3={"addressing_style": s3.addressing_style},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def key(self, address: str) -> str:
        check_address(address)
        return f"{self.prefix}{address[:2]}/{address[2:4]}/{address}"

    def publish(self, staged: Path, address: str) -> bool:
        if self.exists(address):
            return False  # content-addressed: the stored object already holds this content
        with staged.open("rb") as body:
            self._client.put_object(Bucket=self.bucket, Key=self.key(address), Body=body)
        return True

    def open(self, address: str) -> BinaryIO:
        try:
            reply = self._client.get_object(Bucket=self.bucket, Key=self.key(address))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(address) from None
            raise
        return cast(BinaryIO, reply["Body"])  # a stream: read(n), close()

    def exists(self, address: str) -> bool:
        return self.size(address) is not None

    def size(self, address: str) -> int | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self.key(address))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    def delete(self, address: str) -> int:
        size = self.size(address)
        if size is None:
            return 0
        self._client.delete_object(Bucket=self.bucket, Key=self.key(address))
        return size

    def addresses(self) -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if len(name) == 64:
                    yield name

    def bucket_exists(self) -> bool:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _missing(exc) or exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
                return False
            raise
        return True

    def describe(self) -> str:
        return f"S3 bucket {self._where}"

    def close(self) -> None:
        self._client.close()


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


def from_settings(settings: Settings) -> S3Blobs:
    return S3Blobs(settings.files.s3)
