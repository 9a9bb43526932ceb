"""What `init`, `sync`, `run` and `simulate` check before they touch the database.

Each file is validated on its own when it is read; these are the mistakes that only show
later, at the worst moment, if nobody looks for them at start: a custom template that
breaks the first message of its kind, an ``admins`` entry naming nobody (failed deliveries
then alert no one), a webhook URL without its secret (the web app that serves the answer
links then never starts). Each problem names the entry and what would be valid.
"""

from __future__ import annotations

from collections.abc import Collection
from difflib import get_close_matches

from notifier.directory import DirectoryConfig
from notifier.render import Renderer
from notifier.settings import Settings

# (webhook URL, where it is set, the secret variable it needs)
_WEBHOOKS = (
    ("telegram", "NOTIFIER_TELEGRAM_WEBHOOK_URL", "NOTIFIER_TELEGRAM_WEBHOOK_SECRET"),
    ("zalo", "NOTIFIER_ZALO_WEBHOOK_URL", "NOTIFIER_ZALO_WEBHOOK_SECRET"),
)


def template_problems(settings: Settings) -> list[str]:
    """Every custom template rendered with sample messages; the package's own are tested."""
    folder = settings.templates_dir
    if not folder.is_dir() or not any(folder.glob("*.j2")):
        return []
    return Renderer(folder).check()


def admin_problems(
    settings: Settings, directory: DirectoryConfig, stored: Collection[str] = ()
) -> list[str]:
    """``admins`` entries that name no person of directory.yaml nor of the database."""
    from notifier.yamlconf import problem_at, read_yaml

    known = {p.key for p in directory.people} | set(stored)
    unknown = [(i, key) for i, key in enumerate(settings.file.admins) if key not in known]
    if not unknown:
        return []
    path = settings.config_dir / "notifier.yaml"
    document = read_yaml(path)
    problems = []
    for i, key in unknown:
        close = get_close_matches(key, sorted(known), n=3)
        hint = f"; có phải {', '.join(repr(c) for c in close)}?" if close else ""
        text = (
            f"không có người nào mã '{key}' trong danh bạ ({settings.directory_path}){hint} "
            "Quản trị viên phải là một người trong danh bạ để nhận cảnh báo"
        )
        problems.append(problem_at(path, document, ("admins", i), text))
    return problems


def webhook_problems(settings: Settings) -> list[str]:
    """A webhook URL needs its secret: without it no request could be trusted."""
    problems = []
    secrets = {
        "telegram": settings.webhook_secret,
        "zalo": settings.zalo_webhook_secret,
    }
    for platform, variable, secret_variable in _WEBHOOKS:
        url = getattr(settings.file, platform).webhook_url
        if url and not secrets[platform]:
            problems.append(
                f"{platform}.webhook_url ({variable}) là {url!r} nhưng chưa đặt "
                f"{secret_variable}: đặt biến môi trường này (một chuỗi bí mật) hoặc bỏ "
                "webhook_url để dùng long polling"
            )
    return problems


def check_configuration(
    settings: Settings, directory: DirectoryConfig, stored_people: Collection[str] = ()
) -> list[str]:
    """All the problems above, in the order an admin would fix them."""
    return (
        webhook_problems(settings)
        + admin_problems(settings, directory, stored_people)
        + template_problems(settings)
    )
