"""``notifier calendar show|apply``: the working calendar, and its changes reaching deadlines."""

from __future__ import annotations

from typing import Annotated

import typer

from notifier.cli.app import app
from notifier.cli.common import CLI_YEARS, AppState, console, state, table
from notifier.textfmt import vn_date, vn_weekday

calendar_app = typer.Typer(
    no_args_is_help=True, help="Lịch làm việc: ngày nghỉ, ngày làm bù, áp dụng thay đổi."
)
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("show")
def calendar_show(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="Năm (mặc định: năm nay).")] = None,
) -> None:
    """Ngày nghỉ, ngày làm bù của năm, lý do và nguồn (gói holidays, calendar.yaml, trang web)."""
    from notifier.domain.calendar import SOURCE_LABELS
    from notifier.runtime import load_calendar
    from notifier.store.calendar_notice import estimate_notice

    if year is not None and year not in CLI_YEARS:
        raise typer.BadParameter(
            f"năm {year} nằm ngoài khoảng nhận được ({CLI_YEARS.start} đến {CLI_YEARS.stop - 1})",
            param_hint="--year",
        )
    st = state(ctx)
    calendar = load_calendar(st.settings, st.engine)
    today = st.clock.now().astimezone(st.settings.tz).date()
    year = year or today.year
    rows = [
        [vn_date(d.date), vn_weekday(d.date), "làm bù" if d.working else "nghỉ", d.reason,
         SOURCE_LABELS[d.source]]
        for d in calendar.year_days(year)
    ]  # fmt: skip
    title = f"Lịch làm việc năm {year}: ngày nghỉ (thứ Hai – thứ Sáu) và ngày làm bù"
    console.print(table(title, ["Ngày", "Thứ", "Loại", "Lý do", "Nguồn"], rows))
    confirmed = calendar.confirmation(year)
    if confirmed:
        console.print(f"Năm {year}: đã xác nhận theo {confirmed}.")
    else:
        console.print(
            f"Năm {year}: chưa có mục xác nhận trong calendar.yaml (confirmed_years); "
            "ngày nghỉ Tết là ước tính của gói holidays."
        )
    notice = estimate_notice(calendar, today)
    if notice and year != today.year + 1:
        console.print(f"[yellow]Lưu ý:[/] {notice}")


@calendar_app.command("apply")
def calendar_apply(ctx: typer.Context) -> None:
    """Tính lại mọi thời hạn đang theo dõi theo calendar.yaml hiện tại; in các thời hạn thay đổi."""
    report_apply(state(ctx), always=True)


def report_apply(st: AppState, *, always: bool) -> None:
    """Apply the calendar (``always``, or when calendar.yaml changed) and say what moved."""
    from notifier.services.calendar import apply_calendar, calendar_changed, has_deadlines

    runtime = st.runtime()
    if not always and not calendar_changed(runtime):
        return
    quiet = not always and not has_deadlines(runtime)  # a fresh database: just remember it
    change = apply_calendar(runtime)
    if quiet:
        return
    if not change.moved:
        console.print(
            "Lịch làm việc: không thời hạn nào thay đổi"
            + (
                f"; {change.rescheduled} thời hạn được lập lại lịch nhắc."
                if change.rescheduled
                else "."
            )
        )
        return
    console.print(
        f"Lịch làm việc: {len(change.moved)} thời hạn thay đổi; "
        f"{change.messages_cancelled} tin chờ gửi đã hủy và được lập lại theo hạn mới."
    )
    for moved in change.moved:
        console.print(f"  đổi hạn {moved.describe()}")
