"""Plan documents uploaded in the browser, kept in the database between check and confirm.

The page carries only the random id; the row belongs to the account that uploaded it, so
another account cannot read or import it. Rows are deleted once imported and after a day.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from notifier.clock import as_utc
from notifier.store.models import PlanUpload

KEEP = timedelta(days=1)


def save_upload(
    engine: Engine, account_id: int, filename: str, content: bytes, now: datetime
) -> str:
    """Store the document; returns its id. Uploads older than a day are dropped."""
    upload_id = secrets.token_urlsafe(24)
    with Session(engine) as session:
        session.exec(delete(PlanUpload).where(col(PlanUpload.created_at) < as_utc(now) - KEEP))  # type: ignore[call-overload]
        session.add(
            PlanUpload(
                id=upload_id, account_id=account_id, filename=filename, size=len(content),
                sha256=hashlib.sha256(content).hexdigest(), content=content, created_at=now,
            )
        )  # fmt: skip
        session.commit()
    return upload_id


def load_upload(engine: Engine, upload_id: str, account_id: int) -> PlanUpload | None:
    """The upload if it exists and belongs to this account."""
    if not upload_id or len(upload_id) > 64:
        return None
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(PlanUpload, upload_id)
        return row if row is not None and row.account_id == account_id else None


def drop_upload(engine: Engine, upload_id: str) -> None:
    with Session(engine) as session:
        row = session.get(PlanUpload, upload_id)
        if row is not None:
            session.delete(row)
            session.commit()
