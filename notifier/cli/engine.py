"""`notifier run`, `notifier simulate`, `notifier send-test`: thin wrappers of the engine."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, time
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from notifier.channels.registry import channel_names, registered
from notifier.channels.zns import has_template
from notifier.cli import glossary
from notifier.cli.app import app, validate_configuration
from notifier.cli.common import (
    AppState,
    channel_label,
    console,
    date_range,
    kind_label,
    parse_date,
    parse_instant,
    state,
    table,
)
from notifier.clock import VN_TZ, VirtualClock, as_utc
from notifier.engine.channels import CONSOLE, ChannelSet, build_channels
from notifier.engine.dispatch import DispatchReport, dispatch
from notifier.engine.service import (
    Service,
    Simulation,
    new_worker_id,
    next_planned_send,
    simulate,
)
from notifier.engine.sweep import SweepReport
from notifier.errors import NotFound
from notifier.heap import settle_after_startup
from notifier.runtime import Runtime
from notifier.services.testmessage import queue_test_message
from notifier.store.addresses import choose_channel
from notifier.store.db import describe_failure, session_scope
from notifier.store.models import Notification, Person
from notifier.textfmt import capfirst, vn_date, vn_date_time, vn_datetime
from notifier.vocab import ChannelName, DeliveryStatus, MessageKind

# A virtual clock faster than this skips whole sweeps between two ticks.
MAX_SPEED = 100_000.0


def _runtime(st: AppState, quiet: bool = False) -> tuple[Runtime, ChannelSet]:
    """The service's parts, after the configuration checks of `init` (exit 2 on a problem)."""
    validate_configuration(st, warn=False)
    runtime = st.runtime()
    return runtime, build_channels(st.settings, st.clock, echo=not quiet, engine=runtime.engine)


def install_interfaces(service: Service) -> None:
    """What answers come through while the service runs: the web app for email links
    always, the Zalo and Telegram bots (polling or webhook) when their token is set."""
    from notifier.interact import telegram_io, zalo_io
    from notifier.web import server as web

    web.install(service)
    if service.runtime.settings.zalo_bot_token:
        zalo_io.install(service)
    if service.runtime.settings.telegram_token:
        telegram_io.install(service)


@app.command()
def run(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Quét và gửi một lần rồi dừng (dùng với cron).")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Chạy với đồng hồ giả lập bắt đầu từ thời điểm này (YYYY-MM-DDTHH:MM)."
        ),
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            "--speed",
            help="Cùng --at: đồng hồ chạy nhanh gấp N lần thời gian thực (0: đứng yên).",
        ),
    ] = 1.0,
) -> None:
    """Chạy dịch vụ: quét, gửi tin, tổng hợp theo lịch, trang web và bot, đến khi dừng (Ctrl+C)."""
    st = state(ctx)
    if not 0 <= speed <= MAX_SPEED:  # 0: a virtual clock that stands still
        raise typer.BadParameter(
            f"{speed:g} không dùng được: tốc độ đồng hồ từ 0 (đứng yên) đến "
            f"{MAX_SPEED:g} lần thời gian thực",
            param_hint="--speed",
        )
    if speed != 1.0 and at is None:
        raise typer.BadParameter("chỉ dùng --speed cùng với --at", param_hint="--speed")
    if at is not None:
        st.clock = VirtualClock(parse_instant(at, "--at"), speed=speed)
    runtime, channels = _runtime(st)
    settle_after_startup()
    service = Service(runtime, channels, speed=speed if at is not None else 1.0)
    if not once:
        install_interfaces(service)
    if once:
        report = asyncio.run(service.once())
        for line in once_lines(report.sweep, report.dispatch, st.clock.now()):
            console.print(line)
        return
    try:
        lines = startup_lines(runtime, channels, service.worker_id)
    except SQLAlchemyError as exc:  # the service retries on its own; say so and go on
        lines = [f"notifier đang chạy ({service.worker_id}); chưa đọc được cơ sở dữ liệu "
                 f"({describe_failure(exc)}), sẽ thử lại sau mỗi lần quét."]  # fmt: skip
    for line in lines:
        console.print(line)
    asyncio.run(service.run())
    console.print("Đã dừng.")


def once_lines(sweep: SweepReport, sent: DispatchReport, now: datetime) -> list[str]:
    """What `notifier run --once` did, in words an office reads (cron mails it).

    The sweep's ``created`` counts the rows it recorded, the skipped ones included.
    """
    inside = [(sweep.catch_ups, "tin gửi bù"), (sweep.late, "tin gửi muộn")]
    within = ", ".join(f"{n} {what}" for n, what in inside if n)
    queued = [f"{sweep.created - sweep.skipped} tin theo lịch" + (f" ({within})" if within else "")]
    queued += [
        f"{n} {what}"
        for n, what in ((sweep.followups, "tin nhắc lại khi chưa phản hồi"),
                        (sweep.digests, "tin tổng hợp hằng ngày"))
        if n
    ]  # fmt: skip
    line = f"Quét: {sweep.deadlines} thời hạn cần xử lý; đưa vào hàng gửi {', '.join(queued)}"
    if sweep.skipped:
        line += f"; {sweep.skipped} bước cũ không gửi riêng (đã gộp vào tin gửi bù)"
    if sweep.horizon:
        line += f"; bổ sung {sweep.horizon} kỳ báo cáo"
    waiting = (
        f", {sent.deferred} tin chờ giờ làm việc hoặc giới hạn tốc độ gửi" if sent.deferred else ""
    )
    if sent.rerouted:
        waiting += f", {sent.rerouted} tin không có mẫu ZNS nên chuyển sang kênh khác"
    return [
        f"Lần chạy lúc {vn_datetime(now)}.",
        line + ".",
        f"Gửi: {sent.sent}/{sent.claimed} tin đã gửi; {sent.retried} tin sẽ gửi lại sau, "
        f"{sent.failed} tin không gửi được, {sent.fallbacks} tin chuyển sang kênh khác, "
        f"{sent.cancelled} tin hủy (việc đã xong){waiting}.",
    ]


def startup_lines(runtime: Runtime, channels: ChannelSet, worker_id: str) -> list[str]:
    """What `notifier run` says at start: channels, web address, when the next message goes."""
    file = runtime.settings.file
    used = ", ".join(
        f"{ChannelName.CONSOLE.label} (ghi vào {file.console_path})"
        if c == ChannelName.CONSOLE
        else channel_label(c)
        for c in sorted(channels.configured)
    )
    missing = ", ".join(
        f"{plugin.label or name} ({plugin.needs})"
        for name, plugin in registered().items()
        if plugin.needs and name not in channels.configured
    )
    web = f"http://{file.http.host}:{file.http.port}"
    links = f" (liên kết trong tin nhắn: {file.public_url})" if file.public_url != web else ""
    window = runtime.policy.send_window
    sweep, send = file.sweep_interval_seconds, file.dispatch_interval_seconds
    nxt = next_planned_send(runtime, runtime.clock.now())
    return [
        f"notifier đang chạy ({worker_id}).",
        f"Kênh gửi: {used}." + (f" Chưa cấu hình: {missing}." if missing else ""),
        f"Trang web: {web}{links}.",
        f"Quét mỗi {sweep:g} giây, gửi mỗi {send:g} giây; tin nhắc việc chỉ gửi trong ngày "
        f"làm việc, từ {window.start:%H:%M} đến {window.end:%H:%M}.",
        f"Tin tiếp theo dự kiến gửi lúc {vn_datetime(nxt)}."
        if nxt
        else "Không có tin nào sắp gửi.",
        "Dừng: Ctrl+C.",
    ]


@app.command("simulate")
def simulate_command(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help=glossary.DAY_FROM)],
    to: Annotated[str, typer.Option("--to", help=glossary.DAY_TO)],
    quiet: Annotated[bool, typer.Option("--quiet", help="Không in từng tin ra màn hình.")] = False,
) -> None:
    """Chạy thử một khoảng thời gian trên đồng hồ giả lập (quét và gửi như thật), rồi in tóm tắt."""
    st = state(ctx)
    first, last = date_range(parse_date(from_, "--from"), parse_date(to, "--to"))
    start = as_utc(datetime.combine(first, time(0, 0), tzinfo=VN_TZ))
    end = as_utc(datetime.combine(last, time(23, 59, 59), tzinfo=VN_TZ))
    st.clock = VirtualClock(start)
    runtime, channels = _runtime(st, quiet)

    async def go() -> Simulation:
        try:
            return await simulate(runtime, channels, start, end, new_worker_id())
        finally:
            await channels.aclose()

    result = asyncio.run(go())
    _print_summary(runtime, start, end, result)


def _print_summary(runtime: Runtime, start: datetime, end: datetime, result: Simulation) -> None:
    with Session(runtime.engine) as session:
        rows = session.exec(
            select(Notification).where(
                col(Notification.created_at) >= start, col(Notification.created_at) <= end
            )
        ).all()
    sent: Counter[tuple[date, str, str]] = Counter()
    other: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.status == DeliveryStatus.SENT and row.sent_at is not None:
            sent[(as_utc(row.sent_at).astimezone(VN_TZ).date(), row.kind, row.channel)] += 1
        else:
            other[(row.status, row.kind)] += 1
    lines = [
        [vn_date(day), kind_label(kind), channel_label(channel), n]
        for (day, kind, channel), n in sorted(sent.items())
    ]
    first, last = (as_utc(t).astimezone(VN_TZ).date() for t in (start, end))
    title = f"Đã gửi từ {vn_date(first)} đến {vn_date(last)}"
    console.print(table(title, ["Ngày", "Loại", "Kênh", "Số tin"], lines))
    failures = [
        [capfirst(DeliveryStatus(status).label), kind_label(kind), n]
        for (status, kind), n in sorted(other.items())
    ]
    if failures:
        console.print(table("Không gửi / chưa gửi", ["Trạng thái", "Loại", "Số tin"], failures))
    d = result.dispatch
    console.print(
        f"Tổng: {sum(sent.values())} tin đã gửi, {d.failed} thất bại, {d.retried} gửi lại, "
        f"{d.fallbacks} chuyển kênh, {d.cancelled} hủy, {result.sweep.skipped} bỏ qua "
        f"(gộp khi gửi bù); {result.ticks} lần quét."
    )


@app.command("send-test")
def send_test(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help=glossary.PERSON)],
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            help="zalo, zns, email, telegram, console hoặc tên kênh bổ sung "
            "(mặc định: kênh của người nhận).",
        ),
    ] = None,
) -> None:
    """Gửi một tin thử qua hàng đợi và bước gửi thật; in kết quả (để kiểm tra địa chỉ)."""
    if channel is not None and channel not in channel_names():
        raise typer.BadParameter(
            f"không có kênh {channel!r}; chọn một trong: {', '.join(channel_names())}",
            param_hint="--channel",
        )
    st = state(ctx)
    if channel == ChannelName.ZNS and not has_template(st.settings, MessageKind.TEST):
        raise typer.BadParameter(
            "ZNS chỉ gửi mẫu tin đã được Zalo duyệt: khai báo mã mẫu cho tin thử "
            "(zns.templates: {test: '…'} trong notifier.yaml) rồi gửi lại",
            param_hint="--channel",
        )
    runtime, channels = _runtime(st)
    now = st.clock.now()
    with session_scope(runtime.engine) as session:
        found = session.exec(select(Person).where(Person.key == person)).first()
        if found is None:
            raise NotFound(f"không có người nhận {person!r} (xem: notifier contact list)")
        chosen = channel or choose_channel(found, channels.configured)
        if chosen == ChannelName.ZNS and not has_template(st.settings, MessageKind.TEST):
            chosen = choose_channel(found, channels.configured - {ChannelName.ZNS})
            console.print(f"Chưa có mẫu ZNS cho tin thử: gửi qua kênh kế tiếp ({chosen}).")
        row_id = queue_test_message(session, found, chosen, now)
    if chosen not in channels.configured:
        console.print(
            f"Kênh {channel_label(chosen)} chưa được cấu hình ở đây: "
            f"tin thử gửi ra {channel_label(CONSOLE)}."
        )

    async def go() -> None:
        try:
            await dispatch(runtime, channels, new_worker_id(), now, only=[row_id])
        finally:
            await channels.aclose()

    asyncio.run(go())
    with Session(runtime.engine) as session:
        row = session.get(Notification, row_id)
    assert row is not None
    if row.status == DeliveryStatus.SENT:
        console.print(
            f"Đã gửi tin thử {row_id} tới {person} qua {channel_label(row.channel)} "
            f"({row.address}); "
            f"mã: {row.provider_id}"
        )
        return
    when = row.next_attempt_at.astimezone(VN_TZ) if row.next_attempt_at else None
    waiting = when and row.status == DeliveryStatus.PENDING
    later = f"; thử lại lúc {vn_date_time(when)}" if when and waiting else ""
    status = DeliveryStatus(row.status).label
    console.print(f"Gửi tin thử {row_id} không thành công ({status}): {row.last_error}{later}")
    raise typer.Exit(1)
