"""The file store's backends for tests, each on the real thing: a folder, a fresh PostgreSQL
schema with the `file_blobs` table, and a bucket of moto's S3 server on 127.0.0.1.

    with moto_s3() as endpoint: ...           # an S3-compatible server on loopback
    async with blob_backend("s3", tmp_path, endpoint) as backend: ...
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from app.settings import S3Settings
from cases.blobs import BlobBackend
from cases.blobs.local import LocalBlobs
from cases.blobs.postgres import PostgresBlobs
from cases.blobs.s3 import S3Blobs
from tests.cases.databases import PG_URL, postgres_database

BACKENDS = ["local", "postgresql", "s3"]


@contextmanager
def moto_s3() -> Iterator[str]:
    """moto's S3 server in this process, on a free loopback port: its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server._server.server_address[:2]  # type: ignore[union-attr]
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_settings(endpoint: str, bucket: str | None = None) -> S3Settings:
    """Settings of a new, empty bucket on that server."""
    bucket = bucket or f"files-{uuid.uuid4().hex[:12]}"
    settings = S3Settings(
        endpoint_url=endpoint,
        bucket=bucket,
        access_key_id=SecretStr("testing"),
        secret_access_key=SecretStr("testing"),
    )
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    client.close()
    return settings


@asynccontextmanager
async def blob_backend(kind: str, where: Path, s3_endpoint: str) -> AsyncIterator[BlobBackend]:
    if kind == "local":
        yield LocalBlobs(where / "shared")
    elif kind == "postgresql":
        async with postgres_database() as db:
            assert db.schema is not None
            backend = PostgresBlobs(PG_URL, schema=db.schema)
            try:
                yield backend
            finally:
                backend.close()
    else:
        s3 = S3Blobs(s3_settings(s3_endpoint))
        try:
            yield s3
        finally:
            s3.close()
