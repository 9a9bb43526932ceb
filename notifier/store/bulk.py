"""Many rows through one statement, as the driver's own executemany.

SQLAlchemy's executemany builds a parameter dictionary per row and runs each column type's
processor through a general loop; for the sweep's 2,000 outbox rows and 1,000 deadline
updates per batch that was about a third of the batch. Here a statement is compiled once
per dialect and set of keys, and each row becomes the driver's parameters through the same
type processors SQLAlchemy would apply (``dialect_impl(...).bind_processor``), so what
reaches the database is the same. Within one call each processor runs once per distinct
value (a batch's rows share their instants, kinds and statuses): converting a timestamp
was a fifth of the sweep's batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert, Update

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    keys: tuple[str, ...]  # the parameter names, in the driver's order when positional
    processors: tuple[Processor, ...]
    positional: bool


# By statement (a module constant: compared by identity), dialect and the rows' keys.
_COMPILED: dict[tuple[Insert | Update, str, tuple[str, ...]], _Compiled] = {}


def execute_many(
    connection: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run ``statement`` once per row (all rows with the same keys); the rows it changed.

    ``statement``: built once by the caller (a module constant), without RETURNING; an
    INSERT takes the rows' keys as its columns, an UPDATE names its ``bindparam`` s."""
    if not rows:
        return 0
    compiled = _compile(statement, connection.dialect, tuple(rows[0]))
    keys = compiled.keys
    # itemgetter returns a bare value for one key, and takes no zero keys
    values_of = itemgetter(*keys) if len(keys) > 1 else lambda row: tuple(row[k] for k in keys)
    converts = [
        (at, _once_per_value(convert))
        for at, convert in enumerate(compiled.processors)
        if convert is not None
    ]
    params: list[Any] = []
    for row in rows:
        values = list(values_of(row))
        for at, convert in converts:
            values[at] = convert(values[at])
        params.append(
            tuple(values) if compiled.positional else dict(zip(keys, values, strict=True))
        )
    result = connection.exec_driver_sql(
        compiled.sql, params, execution_options={"preserve_rowcount": True}
    )
    return int(result.rowcount)


def _once_per_value(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert``, run once per distinct value: the value's type and time zone are part of
    the key, since equal values of either may convert differently (1 and True, one instant
    in two zones); an unhashable value (a JSON document) once per object: the sweep gives the
    people addressed by one step the same context document."""
    done: dict[tuple[Any, ...], Any] = {}
    by_object: dict[int, Any] = {}  # the rows hold these objects until the call ends

    def converted(value: Any) -> Any:
        key = (value.__class__, value, getattr(value, "tzinfo", None))
        try:
            return done[key]
        except KeyError:
            out = done[key] = convert(value)
            return out
        except TypeError:  # unhashable: once per object (rows may share one document)
            try:
                return by_object[id(value)]
            except KeyError:
                out = by_object[id(value)] = convert(value)
                return out

    return converted


def _compile(statement: Insert | Update, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    cache_key = (statement, dialect.name, keys)
    hit = _COMPILED.get(cache_key)
    if hit is not None:
        return hit
    columns = list(keys) if isinstance(statement, Insert) else None
    compiled = statement.compile(dialect=dialect, column_keys=columns)
    if compiled.positional:
        assert compiled.positiontup is not None
        names = tuple(compiled.positiontup)
    else:
        names = tuple(compiled.binds)
    unknown = [name for name in names if name not in keys]
    if unknown:  # a column default or a bindparam the rows do not give
        raise ValueError(f"rows without {', '.join(unknown)} for {statement}")
    processors = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    made = _Compiled(str(compiled), names, processors, compiled.positional)
    _COMPILED[cache_key] = made
    return made
