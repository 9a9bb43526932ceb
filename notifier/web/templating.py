"""Jinja2 for the pages: templates as files under ``templates/``, autoescaped, strict.

Static files are linked with a content hash (``/static/app.css?v=…``) so that they can
be cached for long and still change with a new version.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from notifier import textfmt
from notifier.render import plan_reference
from notifier.web import labels

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@cache
def static_url(name: str) -> str:
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        vn_date=textfmt.vn_date,
        vn_deadline=textfmt.vn_deadline,
        vn_datetime=textfmt.vn_datetime,
        vn_plan_date=textfmt.vn_plan_date,
        plan_number=textfmt.plan_number,
        days_phrase=textfmt.days_phrase,
        capfirst=textfmt.capfirst,
        vn_int=textfmt.vn_int,
        vn_weekday=textfmt.vn_weekday,
        duty_label=labels.DUTY_ROLES.get,
    )
    env.globals.update(
        static_url=static_url, labels=labels, label=labels.label, plan_reference=plan_reference
    )
    return env


ENV = _env()


def render(name: str, **context: Any) -> str:
    return ENV.get_template(name).render(**context)
