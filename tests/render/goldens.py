"""Golden messages: every message kind on every channel, from real flows of the sample plan.

Each case is a message the real sweep and dispatch sent (SQLite, the example
configuration, a virtual clock, a fixed signing key), captured as it was rendered at
sending time: the subject, the plain text (email and console), the HTML alternative of
the email, and the Telegram form with its buttons. The files in ``golden/`` are the
reviewed texts; ``test_golden.py`` compares.

Regenerate deliberately, then read every changed file as the office would::

    .venv/bin/python -m tests.render.goldens          # rewrites tests/render/golden/*.txt
    git diff tests/render/golden

Flows: the sample plan from 15/4/2024 (reminders, follow-up, due today, digest, overdue,
reports to the Chairman and their repeat, an obstacle, a done, the six-month report
request and the compiled report, a test message); the same plan imported late on
01/12/2026 (catch-up, the Tết 2027 notice); a plan with January and February dates
(10/01/2026 a make-up Saturday, 31/01/2027 a Sunday moved by art. 148, Tết 2027).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from notifier import services
from notifier.render import MessageContext, Rendered, Renderer, offered
from notifier.store.db import make_engine
from notifier.store.models import Notification, Person
from notifier.vocab import MessageKind, Via

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = Path(__file__).parent / "golden"
SECRET = "golden-secret-key-0123456789abcdef0123456789"
VAN_HOA = ROOT / "tests" / "data" / "ke-hoach-van-hoa-2026.md"


class RecordingRenderer(Renderer):
    """The package renderer, keeping every context and output (matched to rows later)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.seen: list[tuple[MessageContext, Rendered]] = []

    def render(self, ctx: MessageContext, *, zalo: bool = False, parts: Any = ()) -> Rendered:
        out = super().render(ctx, zalo=zalo)  # every part, whatever the channel sends
        self.seen.append((ctx, out))
        return out


@dataclass(frozen=True)
class Pick:
    """Which sent message a case shows: kind, recipient key, and optionally step/copy."""

    name: str
    kind: MessageKind
    person: str
    step: str | None = None
    copy: bool | None = None
    nth: int = 0  # the nth match (0: first)


def _world(tmp: Path, start: datetime) -> object:
    from tests.engine.test_service import point_files_to
    from tests.engine.test_sweep_world import make_world

    config = tmp / "config"
    shutil.copytree(ROOT / "config", config)
    point_files_to(config, tmp)
    url = f"sqlite:///{tmp / 'golden.db'}"
    engine = make_engine(url)
    world = make_world(engine, config, url, start, env={"NOTIFIER_SECRET_KEY": SECRET})
    world.runtime.renderer = RecordingRenderer()
    return world


def _person(world, key: str) -> int:  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        found = session.exec(select(Person).where(Person.key == key)).one()
        assert found.id is not None
        return found.id


def _row(world, pick: Pick) -> Notification:  # type: ignore[no-untyped-def]
    pid = _person(world, pick.person)
    found = [
        r
        for r in world.sent(pick.kind)
        if r.person_id == pid
        and (pick.step is None or r.step == pick.step)
        and (pick.copy is None or r.copy_only == pick.copy)
    ]
    if len(found) <= pick.nth:
        raise AssertionError(f"golden case {pick.name}: no such message")
    return found[pick.nth]


def _case(world, pick: Pick) -> str:  # type: ignore[no-untyped-def]
    row = _row(world, pick)
    seen = [(c, r) for c, r in world.runtime.renderer.seen if r.text == row.body_text]
    ctx, out = seen[-1]
    buttons = " ".join(f"[{a.label}]" for a in offered(ctx)) or "(không có nút)"
    # the Zalo form of the same message: its reference and the same signed links
    zalo = world.runtime.renderer.render(replace(ctx, reference=row.id), zalo=True).zalo_text
    head = f"# {pick.name}: {pick.kind} gửi {pick.person}, {row.step}"
    return "\n".join(
        [
            head,
            "",
            "== Tiêu đề (thư điện tử)",
            out.subject,
            f"({len(out.subject)} ký tự)",
            "",
            "== Văn bản (thư điện tử, màn hình)",
            out.text.rstrip("\n"),
            "",
            "== Telegram",
            out.telegram_html,
            buttons,
            "",
            "== Zalo (tin nhắn chữ, tối đa 2.000 ký tự)",
            zalo,
            f"({len(zalo)} ký tự)",
            "",
            "== HTML (thư điện tử)",
            out.html.rstrip("\n"),
            "",
        ]
    )


def _sample_2024(tmp: Path) -> dict[str, str]:
    from tests.engine.test_sweep_world import vn

    world = _world(tmp, vn("2024-04-15", "07:00"))
    world.import_plan()
    world.simulate(vn("2024-04-15", "07:00"), vn("2024-05-16", "09:30"))
    overdue = _row(world, Pick("", MessageKind.OVERDUE, "vp.chanh"))
    minh = _person(world, "vp.chanh")
    with_reason = "Chưa bố trí được xe và kinh phí đi thị xã Thái Hòa"
    at = vn("2024-05-16", "10:00")
    services.report_obstacle(world.runtime, notification_id=overdue.id, person_id=minh,
                             via=Via.WEB, reason=with_reason, now=at)  # fmt: skip
    world.simulate(vn("2024-05-16", "10:00"), vn("2024-05-17", "08:59"))
    services.complete(world.runtime, notification_id=overdue.id, person_id=minh, via=Via.WEB,
                      note="Đoàn đã đi học tập ngày 16/5/2024; báo cáo số 15/BC-VP",
                      now=vn("2024-05-17", "09:00"))  # fmt: skip
    world.simulate(vn("2024-05-17", "09:00"), vn("2024-06-19", "17:00"))
    picks = [
        Pick("01-nhac-han-5-ngay", MessageKind.REMINDER, "vp.chanh", "reminder-5"),
        Pick("02-nhac-han-de-biet", MessageKind.REMINDER, "ktht.truong-phong", "reminder-5"),
        Pick("03-nhac-lai-chua-phan-hoi", MessageKind.FOLLOWUP, "vp.chanh"),
        Pick("04-nhac-han-2-ngay", MessageKind.REMINDER, "vp.chanh", "reminder-2"),
        Pick("05-den-han", MessageKind.DUE_TODAY, "vp.chanh"),
        Pick("06-tong-hop-tinh-hinh", MessageKind.DIGEST, "vp.theo-doi"),
        Pick("07-qua-han", MessageKind.OVERDUE, "vp.chanh"),
        Pick("08-bao-cao-chu-tich", MessageKind.ESCALATION, "ubnd-huyen.chu-tich"),
        Pick("09-bao-cao-chu-tich-lan-2", MessageKind.ESCALATION, "ubnd-huyen.chu-tich", nth=1),
        Pick("10-bao-cao-chu-tich-dong-gui", MessageKind.ESCALATION, "tckh.truong-phong"),
        Pick("11-vuong-mac", MessageKind.OBSTACLE, "ubnd-huyen.chu-tich"),
        Pick("12-vuong-mac-dong-gui", MessageKind.OBSTACLE, "tckh.truong-phong"),
        Pick("13-xac-nhan-vuong-mac", MessageKind.CONFIRMATION, "vp.chanh"),
        Pick("14-xac-nhan-hoan-thanh", MessageKind.CONFIRMATION, "vp.chanh", nth=1),
        Pick("15-xac-nhan-hoan-thanh-theo-doi", MessageKind.CONFIRMATION, "vp.theo-doi"),
        Pick("16-de-nghi-bao-cao", MessageKind.REPORT_REQUEST, "vp.chanh", "reminder-5"),
        Pick("17-bao-cao-tong-hop", MessageKind.COMPILED_REPORT, "tckh.truong-phong"),
    ]
    return {p.name: _case(world, p) for p in picks} | _test_message(world)


def _test_message(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    import asyncio
    import uuid

    from notifier.engine.channels import build_channels
    from notifier.engine.dispatch import dispatch_all
    from notifier.store.addresses import choose_channel
    from notifier.store.db import session_scope
    from notifier.store.outbox import insert_rows, new_row

    now = world.clock.now()
    with session_scope(world.engine) as session:
        person = session.exec(select(Person).where(Person.key == "vp.quan-tri")).one()
        insert_rows(session, [new_row(
            occurrence=f"test:{uuid.UUID(int=1)}", step=MessageKind.TEST, person=person,
            channel=choose_channel(person, {"console"}), kind=MessageKind.TEST, due_at=now,
            now=now,
        )])  # fmt: skip
    channels = build_channels(world.runtime.settings, world.clock, echo=False)

    async def go() -> None:
        try:
            await dispatch_all(world.runtime, channels, "golden", now)
        finally:
            await channels.aclose()

    asyncio.run(go())
    pick = Pick("18-tin-thu", MessageKind.TEST, "vp.quan-tri")
    return {pick.name: _case(world, pick)}


def _late_import(tmp: Path) -> dict[str, str]:
    from tests.engine.test_sweep_world import vn

    world = _world(tmp, vn("2026-12-01", "09:00"))
    world.import_plan()
    world.simulate(vn("2026-12-01", "09:00"), vn("2026-12-01", "09:30"))
    picks = [
        Pick("21-gui-bu-chanh-van-phong", MessageKind.CATCH_UP, "vp.chanh"),
        Pick("22-gui-bu-chu-tich", MessageKind.CATCH_UP, "ubnd-huyen.chu-tich"),
        Pick("23-tong-hop-gui-bu", MessageKind.COMPILED_REPORT, "tckh.truong-phong"),
        Pick("24-tong-hop-tinh-hinh-sau-nhap-muon", MessageKind.DIGEST, "vp.chanh"),
        Pick("25-canh-bao-lich-tet", MessageKind.ADMIN_ALERT, "vp.quan-tri"),
    ]
    return {p.name: _case(world, p) for p in picks}


def _january_february(tmp: Path) -> dict[str, str]:
    from tests.engine.test_sweep_world import vn

    world = _world(tmp, vn("2025-12-29", "07:00"))
    world.import_plan(VAN_HOA)
    world.simulate(vn("2025-12-29", "07:00"), vn("2026-01-13", "17:00"))
    first = [
        Pick("31-nhac-han-thang-1", MessageKind.REMINDER, "vhtt.truong-phong", "reminder-5"),
        Pick("32-den-han-thu-bay-lam-bu", MessageKind.DUE_TODAY, "vhtt.truong-phong"),
        Pick("33-qua-han-thang-1", MessageKind.OVERDUE, "vhtt.truong-phong"),
    ]
    cases = {p.name: _case(world, p) for p in first}
    done = _row(world, Pick("", MessageKind.OVERDUE, "vhtt.truong-phong"))
    who = _person(world, "vhtt.truong-phong")
    services.complete(world.runtime, notification_id=done.id, person_id=who, via=Via.WEB,
                      now=vn("2026-01-13", "17:00"))  # fmt: skip
    world.simulate(vn("2027-01-20", "07:00"), vn("2027-02-19", "17:00"))
    later = [
        Pick("34-nhac-han-dieu-148", MessageKind.REMINDER, "vhtt.truong-phong", "reminder-5"),
        Pick("35-qua-han-thang-2", MessageKind.OVERDUE, "vhtt.truong-phong", nth=0),
        Pick("36-bao-cao-van-phong-cap-1", MessageKind.ESCALATION, "vp.chanh", "escalation-1"),
        Pick("37-bao-cao-chu-tich-sau-tet", MessageKind.ESCALATION, "ubnd-huyen.chu-tich",
             "escalation-2"),
    ]  # fmt: skip
    for pick in later:
        cases[pick.name] = _case_in(world, pick, after=vn("2027-01-20", "07:00"))
    return cases


def _case_in(world, pick: Pick, after: datetime) -> str:  # type: ignore[no-untyped-def]
    """A case among the messages sent after ``after`` (a second period of the same flow)."""
    original: Callable[..., list[Notification]] = world.sent

    def later(kind: str | None = None) -> list[Notification]:
        return [r for r in original(kind) if r.sent_at is not None and r.sent_at >= after]

    world.sent = later
    try:
        return _case(world, pick)
    finally:
        world.sent = original


def build_cases(tmp: Path) -> dict[str, str]:
    """Every golden case, rendered from fresh flows in ``tmp``."""
    os.environ["NOTIFIER_SECRET_KEY"] = SECRET
    out: dict[str, str] = {}
    for name, flow in (("a", _sample_2024), ("b", _late_import), ("c", _january_february)):
        folder = tmp / name
        folder.mkdir()
        out |= flow(folder)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = build_cases(Path(tmp))
    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.glob("*.txt"):
        old.unlink()
    for name, text in sorted(cases.items()):
        (GOLDEN / f"{name}.txt").write_text(text, encoding="utf-8")
    print(f"{len(cases)} golden files written to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    main()
