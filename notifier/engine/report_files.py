"""The files of the compiled-report message: attached to the email, linked on the chats.

At send time the dispatcher has the report the message shows (built for the report's
period as of the moment of sending, :mod:`notifier.engine.context`). By email the Word
draft and the Excel table go with it as attachments, generated from that same report;
on Telegram, Zalo and the console (where the file cannot travel) the message carries a
signed download link per file, valid 30 days and served by the web app without login
(:func:`notifier.signing.report_link`): the link names the plan, the period and that
same instant, so the file it gives has the message's figures.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from notifier.channels.base import Attachment
from notifier.channels.zalo import ZaloBotChannel
from notifier.render import MessageContext, ReportFile
from notifier.reports.files import (
    FILE_LABELS,
    MESSAGE_FORMATS,
    MIME_TYPES,
    default_name,
    period_code,
    report_bytes,
)
from notifier.signing import report_link
from notifier.vocab import ChannelName, MessageKind

ATTACHING_CHANNELS = frozenset({ChannelName.EMAIL})
LINKING_CHANNELS = frozenset({ChannelName.TELEGRAM, ZaloBotChannel.name, ChannelName.CONSOLE})


def with_report_files(
    ctx: MessageContext, channel: str, key: bytes, public_url: str, now: datetime
) -> tuple[MessageContext, tuple[Attachment, ...]]:
    """The context naming the files (with their links on chat channels) and the
    attachments to send; unchanged for any other message or channel."""
    report = ctx.report
    if ctx.kind != MessageKind.COMPILED_REPORT or report is None:
        return ctx, ()
    names = {fmt: default_name(report, fmt) for fmt in MESSAGE_FORMATS}
    if channel in ATTACHING_CHANNELS:
        attachments = tuple(
            Attachment(names[fmt], MIME_TYPES[fmt], report_bytes(report, fmt))
            for fmt in MESSAGE_FORMATS
        )
        files = tuple(ReportFile(FILE_LABELS[fmt], names[fmt]) for fmt in MESSAGE_FORMATS)
        return replace(ctx, files=files), attachments
    if channel in LINKING_CHANNELS:
        period = period_code(report.period) if report.period is not None else ""
        files = tuple(
            ReportFile(
                FILE_LABELS[fmt],
                names[fmt],
                report_link(key, public_url, report.plan.id, period, report.at, fmt.value, now),
            )  # fmt: skip
            for fmt in MESSAGE_FORMATS
        )
        return replace(ctx, files=files), ()
    return ctx, ()
