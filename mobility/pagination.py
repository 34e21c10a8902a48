"""Keyset pagination: one helper for every staff list page and every list endpoint of the API.

A page is `limit` rows of a query ordered by a tuple of columns that ends with the primary key
(so the order is total and stable). The cursor carries the sort values of the row the page
starts after (or ends before), never an offset: rows added or removed between two requests
neither repeat nor vanish, and page 1000 costs what page 1 costs (an index range scan).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

#: rows per page unless the caller asks for fewer (or, in the API, up to MAX_LIMIT)
PAGE_SIZE = 50
MAX_LIMIT = 200
#: a cursor longer than this is not one of ours (a few sort values, base64-encoded)
MAX_CURSOR_LENGTH = 500


class PageQuery(BaseModel):
    """The query parameters of a paginated API list (mixed into each list's query model)."""

    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH,
                               description="Opaque: the `next` or `prev` link of a page")
    limit: int = Field(default=PAGE_SIZE, ge=1, le=MAX_LIMIT, description="Rows per page")


class PageOnly(PageQuery):
    """The query of a paginated API list without filters (any other parameter: a 400)."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class Page:
    """One page of rows, with the cursors of the pages before and after it (None: no page)."""

    items: list
    next_cursor: str | None = None
    prev_cursor: str | None = None
    limit: int = PAGE_SIZE
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(details={"cursor": _l(
        "This page link is not valid (it may come from another list): start again from the "
        "first page.")}, code="invalid_cursor")


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        if tag == "t" and isinstance(text, str):
            return datetime.fromisoformat(text)
        if tag == "d" and isinstance(text, str):
            return date.fromisoformat(text)
        raise ValueError(tag)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise ValueError(value)


def encode_cursor(values: Sequence[Any], *, before: bool = False) -> str:
    """The opaque cursor of a position in a list (the sort values of one row)."""
    data = {"k": [_encode_value(v) for v in values], **({"b": 1} if before else {})}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[list[Any], bool]:
    """The sort values and direction a cursor holds; a 400 (FR+EN) when it is not ours."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values = [_decode_value(v) for v in data["k"]]
        before = bool(data.get("b"))
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError,
            RecursionError, AttributeError):
        raise _bad_cursor() from None
    if not isinstance(data, dict) or len(values) != width:
        raise _bad_cursor()
    return values, before


def _after(keys: Sequence[InstrumentedAttribute], values: Sequence[Any], descending: bool):
    """Rows strictly after `values` in the order of `keys`: a row-value comparison, which
    PostgreSQL and SQLite both answer with a range scan of the matching index."""
    if len(keys) == 1:
        return keys[0] < values[0] if descending else keys[0] > values[0]
    row = tuple_(*keys)
    return row < tuple(values) if descending else row > tuple(values)


def paginate(query: Select, keys: Sequence[InstrumentedAttribute], *, cursor: str | None,
             limit: int = PAGE_SIZE, descending: bool = False, unique: bool = False) -> Page:
    """One page of `query` (a select of one entity) ordered by `keys` (its own non-null
    columns, the last one unique, e.g. `(Rental.start_date, Rental.id)`), in one query.

    `cursor` is a page's `next_cursor` or `prev_cursor` (None: the first page); a cursor that
    is not ours is a 400. `unique` for queries with joined eager loads of collections.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    before = False
    if cursor:
        values, before = decode_cursor(cursor, len(keys))
        # walking back: the rows before the cursor, read in the reverse order
        query = query.where(_after(keys, values, descending != before))
    order = [k.desc() if descending != before else k.asc() for k in keys]
    result = db.session.scalars(query.order_by(None).order_by(*order).limit(limit + 1))
    rows = list(result.unique() if unique else result)
    more = len(rows) > limit
    rows = rows[:limit]
    if before:
        rows.reverse()

    def position(row) -> list[Any]:
        return [getattr(row, k.key) for k in keys]

    page = Page(items=rows, limit=limit)
    if rows:
        if before:  # came back from a later page: there is one after, maybe one before
            page.next_cursor = encode_cursor(position(rows[-1]))
            page.prev_cursor = encode_cursor(position(rows[0]), before=True) if more else None
        else:
            page.next_cursor = encode_cursor(position(rows[-1])) if more else None
            page.prev_cursor = (encode_cursor(position(rows[0]), before=True)
                                if cursor else None)
    return page


def link_header(page: Page, url_for_cursor) -> str | None:
    """An RFC 8288 `Link` header with the `next` and `prev` pages of an API list."""
    links = [f'<{url_for_cursor(c)}>; rel="{rel}"'
             for rel, c in (("next", page.next_cursor), ("prev", page.prev_cursor)) if c]
    return ", ".join(links) or None


def page_response(page: Page, rows: list) -> Any:
    """An API list's answer: the JSON array of the page's rows, with the `Link` header and
    `X-Next-Cursor` (the filters of the request are kept in the links)."""
    def url_for_cursor(cursor: str) -> str:
        args = request.args.to_dict()
        args["cursor"] = cursor
        return f"{request.base_url}?{urlencode(args)}"

    response = jsonify(rows)
    header = link_header(page, url_for_cursor)
    if header:
        response.headers["Link"] = header
    if page.next_cursor:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return response


def page_cursor_arg() -> str | None:
    """The `cursor` of a list page's query string (None when absent or empty)."""
    return (request.args.get("cursor") or "").strip() or None
