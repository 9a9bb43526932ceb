"""`notifier status | log | done | escalate | extend | ack`: the office's view and actions.

Thin: parse, call :mod:`notifier.status` or one service function, print. The web
app is registered with the service (see :func:`notifier.web.server.install`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from notifier import services
from notifier.cli import glossary
from notifier.cli.app import app
from notifier.cli.common import (
    console,
    err_console,
    label_of,
    parse_date,
    parse_instant,
    plan_key,
    print_json,
    start_of_day,
    state,
    table,
)
from notifier.domain.status import Bucket
from notifier.errors import NotFound
from notifier.runtime import Runtime
from notifier.status import answer_log, deadline_ids_of_task, status_board
from notifier.store.models import Notification
from notifier.textfmt import days_phrase, vn_date, vn_datetime
from notifier.vocab import (
    AckAction,
    AttemptOutcome,
    ChannelName,
    DeliveryStatus,
    MessageKind,
    Via,
)

Json = Annotated[bool, typer.Option("--json", help=glossary.JSON)]
PlanOpt = Annotated[str | None, typer.Option("--plan", help=glossary.PLAN)]


@app.command("status")
def status_command(
    ctx: typer.Context,
    as_json: Json = False,
    plan: PlanOpt = None,
    agency: Annotated[
        str | None,
        typer.Option("--agency", help="Chỉ các nhiệm vụ cơ quan này chủ trì (mã cơ quan)."),
    ] = None,
) -> None:
    """Bốn nhóm tình trạng chính thức với số lượng, và các việc chưa hoàn thành."""
    st = state(ctx)
    runtime = st.runtime()
    with Session(runtime.engine) as session:
        key = plan_key(session, plan)
        board = status_board(session, runtime, st.clock.now(), plan_key=key, agency=agency)
    if as_json:
        print_json(board.to_json())
        return
    for warning in board.warnings:
        err_console.print(f"[bold red]{warning}[/]")
        console.print(warning)
    console.print(f"Tình hình thực hiện nhiệm vụ đến {vn_datetime(board.now)}")
    console.print(
        table("Tổng hợp", ["Tình trạng", "Số lượng"], [[b.label, n] for b, n in board.counts])
    )
    rows = [
        [i.plan_label, i.task, i.title[:60], i.period, vn_date(i.deadline),
         days_phrase(i.working_days, i.deadline), i.bucket.label, i.last_answer or "chưa có",
         i.level or ""]
        for i in board.open_items
    ]  # fmt: skip
    columns = ["Kế hoạch", "Nhiệm vụ", "Nội dung", "Kỳ", "Hạn", "Thời gian", "Tình trạng",
               "Phản hồi gần nhất", "Cấp đôn đốc"]  # fmt: skip
    console.print(table("Nhiệm vụ chưa hoàn thành", columns, rows))
    done = [i for i in board.items if i.bucket in (Bucket.DONE_ON_TIME, Bucket.DONE_LATE)]
    if done:
        rows = [
            [i.plan_label, i.task, i.title[:60], vn_date(i.deadline),
             vn_datetime(i.done_at) if i.done_at else "", i.bucket.label]
            for i in done
        ]  # fmt: skip
        columns = ["Kế hoạch", "Nhiệm vụ", "Nội dung", "Hạn", "Hoàn thành lúc", "Tình trạng"]
        console.print(table("Nhiệm vụ đã hoàn thành", columns, rows))


@app.command("log")
def log_command(
    ctx: typer.Context,
    as_json: Json = False,
    task: Annotated[str | None, typer.Option("--task", help=glossary.TASK)] = None,
    plan: PlanOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="Từ ngày này (YYYY-MM-DD).")] = None,
) -> None:
    """Nhật ký gửi tin và phản hồi: ai, cơ quan nào, kênh, nội dung, ghi chú, thời gian, số tin."""
    st = state(ctx)
    start = start_of_day(parse_date(since, "--since")) if since is not None else None
    with Session(st.ready_engine()) as session:
        key = plan_key(session, plan)
        ids = deadline_ids_of_task(session, task, key) if task is not None else None
        if ids is not None and not ids:
            raise NotFound(f"Không có nhiệm vụ '{task}'.")
        entries = answer_log(session, since=start, deadline_ids=ids)
    if as_json:
        print_json([e.to_json() for e in entries])
        return
    rows = [
        [vn_datetime(e.at), "Gửi" if e.event == "delivery" else "Phản hồi", e.person, e.agency,
         label_of(e.channel, ChannelName, Via), label_of(e.action, MessageKind, AckAction),
         label_of(e.outcome, DeliveryStatus, AttemptOutcome), e.note, e.message_id or "", e.task]
        for e in entries
    ]  # fmt: skip
    columns = ["Thời gian", "Loại", "Người", "Cơ quan", "Kênh", "Nội dung", "Kết quả", "Ghi chú",
               "Tin số", "Nhiệm vụ"]  # fmt: skip
    console.print(table("Nhật ký gửi và phản hồi", columns, rows))


def _task(runtime: Runtime, ref: str, plan: str | None) -> services.TaskMatch:
    with Session(runtime.engine) as session:
        match = services.find_task(session, ref, plan_key(session, plan), open_only=False)
    if match.note:
        console.print(match.note)
    return match


@app.command("done")
def done_command(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="Số hiệu nhiệm vụ, ví dụ II.1.")],
    plan: PlanOpt = None,
    note: Annotated[str, typer.Option("--note", help="Kết quả đã thực hiện.")] = "",
    at: Annotated[
        str | None,
        typer.Option("--at", help="Thời điểm hoàn thành (YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM)."),
    ] = None,
) -> None:
    """Ghi nhận nhiệm vụ đã hoàn thành (với nhiệm vụ định kỳ: kỳ chưa hoàn thành sớm nhất)."""
    when = parse_instant(at, "--at") if at is not None else None  # usage first: exit 2
    runtime = state(ctx).runtime()
    match = _task(runtime, task, plan)
    try:
        outcome = services.complete(
            runtime, deadline_id=match.deadline_id, person_id=None, via=Via.CLI,
            note=note, at=when,
        )  # fmt: skip
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None
    console.print(outcome.message)


@app.command("escalate")
def escalate_command(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="Số hiệu nhiệm vụ, ví dụ II.1.")],
    note: Annotated[str, typer.Option("--note", help="Ý kiến gửi kèm khi chuyển cấp.")],
    plan: PlanOpt = None,
) -> None:
    """Chuyển ngay một nhiệm vụ chưa hoàn thành lên cấp đôn đốc tiếp theo, kèm ý kiến."""
    runtime = state(ctx).runtime()
    match = _task(runtime, task, plan)
    outcome = services.escalate_now(
        runtime, deadline_id=match.deadline_id, note=note, by="Văn phòng (quản trị viên)"
    )
    console.print(f"{outcome.message} ({outcome.queued} thông báo)")


@app.command("extend")
def extend_command(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="Số hiệu nhiệm vụ, ví dụ II.1.")],
    to: Annotated[str, typer.Option("--to", help="Thời hạn mới, dạng YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do gia hạn.")],
    plan: PlanOpt = None,
) -> None:
    """Gia hạn một nhiệm vụ chưa hoàn thành: lập lại lịch nhắc theo hạn mới, giữ ghi nhận hạn cũ."""
    runtime = state(ctx).runtime()
    new_date = parse_date(to, "--to")
    match = _task(runtime, task, plan)
    outcome = services.extend(
        runtime, deadline_id=match.deadline_id, new_date=new_date, reason=reason,
        by="Văn phòng (quản trị viên)",
    )  # fmt: skip
    console.print(outcome.message)


@app.command("ack")
def ack_command(
    ctx: typer.Context,
    message_id: Annotated[int, typer.Argument(help="Số tin (xem `notifier log`).")],
) -> None:
    """Ghi nhận "Đã nhận" thay người nhận tin (ví dụ khi được báo qua điện thoại)."""
    runtime = state(ctx).runtime()
    with Session(runtime.engine) as session:
        row = session.get(Notification, message_id)
        if row is None:
            raise NotFound(f"Không có thông báo số {message_id}. Xem `notifier log`.")
        recipient = row.person_id
    outcome = services.acknowledge(
        runtime, notification_id=message_id, person_id=recipient, via=Via.CLI
    )
    console.print(outcome.message)
