"""The compiled report reaches the compiler with its files: attached to the email (received
by a real SMTP server, aiosmtpd), a signed download link on Telegram (the fake Bot API)
that the web app serves without login; a forged link gets nothing.

The sample plan is imported on 15/4/2024, II.1 recorded done late on 08/5/2024 with a
result note, and on 18/6/2024 09:00 (one working day after the six-month report date of
17/6) the sweep queues the compiled report "6 tháng đầu năm 2024" for Phòng Tài chính –
Kế hoạch: Võ Thị Mai by Telegram, Phạm Văn Đức by email.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import docx
import openpyxl
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from notifier.clock import VN_TZ, as_utc
from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.sweep import sweep
from notifier.plans.importer import PlanImporter, default_until
from notifier.plans.parse import parse_plan_file
from notifier.reports import build_report, parse_period
from notifier.services import complete
from notifier.store.db import session_scope
from notifier.store.models import Deadline, Notification, Person, Plan, Task
from notifier.vocab import MessageKind, Via
from notifier.web.server import make_web_app
from tests.conftest import SEED_PLAN
from tests.engine.test_dispatch import Env, make_env
from tests.fakes.bot_api import FakeBotApi, bot_api
from tests.fakes.smtp import smtp_server

__all__ = ["bot_api"]  # the fixture

IMPORTED = as_utc(datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ))
II1_DONE = as_utc(datetime(2024, 5, 8, 16, 0, tzinfo=VN_TZ))
SENT = as_utc(datetime(2024, 6, 18, 9, 0, tzinfo=VN_TZ))
NOTE = "Đã tổ chức đoàn tham quan, học tập kinh nghiệm tại thị xã Thái Hòa từ ngày 06/5/2024"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMES = (
    "bao-cao-ke-hoach-1-6-thang-dau-nam-2024.docx",
    "bieu-tong-hop-ke-hoach-1-6-thang-dau-nam-2024.xlsx",
)
PUBLIC = "https://notifier.example.vn"


def story(config_dir: Path, tmp: Path, smtp_port: int, bot_url: str) -> Env:
    env = make_env(
        config_dir, f"sqlite:///{tmp / 'n.db'}", tmp, public_url=PUBLIC,
        env={
            "NOTIFIER_SMTP_HOST": "127.0.0.1", "NOTIFIER_SMTP_PORT": str(smtp_port),
            "NOTIFIER_TELEGRAM_TOKEN": "123456:TEST-token", "NOTIFIER_TELEGRAM_API_URL": bot_url,
        },
    )  # fmt: skip
    runtime = env.runtime
    env.clock.set(IMPORTED)
    with session_scope(runtime.engine) as session:
        parsed = parse_plan_file(SEED_PLAN)
        PlanImporter(session, runtime.calendar, runtime.policy, IMPORTED).run(
            parsed, str(SEED_PLAN), default_until(parsed, IMPORTED)
        )
        ii1 = session.exec(
            select(Deadline.id).where(Deadline.task_id == Task.id, Task.ref == "II.1")
        ).one()
    env.clock.set(II1_DONE)
    complete(runtime, deadline_id=ii1, person_id=None, via=Via.CLI, note=NOTE)
    env.clock.set(SENT)
    sweep(runtime, SENT)
    return env


def compiled_rows(env: Env) -> dict[str, Notification]:
    with Session(env.engine) as session:
        rows = session.exec(
            select(Notification, Person.key)
            .where(Notification.kind == MessageKind.COMPILED_REPORT)
            .where(Notification.person_id == Person.id)
        ).all()
    return {key: row for row, key in rows}


def doc_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def sheet_values(data: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in book.worksheets[0].iter_rows()]


async def test_email_attaches_both_files_and_telegram_links_them(
    config_dir: Path, tmp_path: Path, bot_api: FakeBotApi
) -> None:
    with smtp_server() as (handler, port):
        env = story(config_dir, tmp_path, port, bot_api.url)
        channels = build_channels(env.runtime.settings, env.clock, echo=False)
        try:
            await dispatch_all(env.runtime, channels, "w1", SENT)
        finally:
            await channels.aclose()
    rows = compiled_rows(env)
    by_mail, by_chat = rows["tckh.tong-hop"], rows["tckh.truong-phong"]
    assert (by_mail.channel, by_mail.status) == ("email", "sent")
    assert (by_chat.channel, by_chat.status) == ("telegram", "sent")
    with Session(env.engine) as session:
        plan = session.exec(select(Plan)).one()
        expected = build_report(
            session, plan_key=plan.key, at=SENT, calendar=env.runtime.calendar,
            policy=env.runtime.policy, period=parse_period("2024-H1"),
        )  # fmt: skip
    assert expected.tasks.counts == (0, 1, 0, 0) and expected.reports.counts == (0, 0, 0, 1)

    # email: both files as attachments, opened again; the body names them
    [mail] = [
        m.parsed() for m in handler.received if f"<n{by_mail.id}@" in m.parsed()["Message-ID"]
    ]
    attached = list(mail.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attached] == [
        (NAMES[0], DOCX), (NAMES[1], XLSX),
    ]  # fmt: skip
    word = attached[0].get_payload(decode=True)
    text = doc_text(word)
    assert "BÁO CÁO\nKết quả 6 tháng đầu năm 2024 thực hiện Kế hoạch số .../KH-UBND" in text
    assert NOTE in text and "Văn phòng HĐND và UBND huyện Ba Tơ" in text
    assert "Đã hoàn thành quá hạn\n1\n100%" in text  # the buckets table of the expected report
    cells = sheet_values(attached[1].get_payload(decode=True))
    ii1 = next(r for r in cells if isinstance(r[1], str) and r[1].startswith("Tham quan, học tập"))
    assert NOTE in str(ii1[6]) and ii1[7] == "Đã hoàn thành quá hạn"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Kèm theo thư này: dự thảo báo cáo (Word) và biểu tổng hợp (Excel)" in body
    assert all(f"- {name}" in body for name in NAMES) and "/f/" not in body

    # Telegram: a signed link per file, served by the web app without login
    [sent] = [m for m in bot_api.sent(by_chat.address) if str(m.message_id) == by_chat.provider_id]
    assert sent.text == by_chat.body_html
    assert "Dự thảo báo cáo và biểu tổng hợp (liên kết có hiệu lực 30 ngày):" in sent.text
    links = [part.split('"', 1)[0] for part in sent.text.split('<a href="')[1:]]
    assert len(links) == 2 and all(link.startswith(f"{PUBLIC}/f/") for link in links)
    assert '">Tải báo cáo (Word)</a>' in sent.text and '">Biểu tổng hợp (Excel)</a>' in sent.text
    client = TestClient(TestServer(make_web_app(env.runtime)))
    await client.start_server()
    try:
        got = []
        for link, mime in zip(links, (DOCX, XLSX), strict=True):
            response = await client.get(urlsplit(link).path)
            assert response.status == 200 and response.content_type == mime
            got.append(await response.read())
        assert doc_text(got[0]) == text  # the same report as the email's attachment
        assert sheet_values(got[1]) == cells
        path = urlsplit(links[0]).path
        for forged in (path[:-2] + ("AA" if not path.endswith("AA") else "BB"), path + "x"):
            refused = await client.get(forged)
            page = await refused.text()
            assert refused.status == 403 and "Content-Disposition" not in refused.headers
            assert "Liên kết tải báo cáo không hợp lệ hoặc đã bị sửa đổi." in page
    finally:
        await client.close()
