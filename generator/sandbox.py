"""The template sandbox with bounds: a consultant's template cannot run or grow without end.

Jinja's sandbox keeps templates away from Python internals (and caps ``range`` at 100 000 items),
but a template can still nest loops for hours or build strings of gigabytes. Here every call a
template makes checks a deadline, ``*`` and ``**`` check the size of what they would make, and the
rendered text is streamed and cut off past a size limit.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

SECONDS = 120.0  # one template; the largest bundled document at 16x renders in a few seconds
MAX_CHARACTERS = 64 * 1024 * 1024  # one rendered template
MAX_VALUE = 16 * 1024 * 1024  # one string or list made by * (characters or items)

_limits = threading.local()


class BoundedEnvironment(SandboxedEnvironment):
    """A sandbox whose calls respect the deadline of the render under way."""

    intercepted_binops = frozenset({"*", "**"})

    def call(
        __self,  # Jinja's own signature: keyword arguments may be named "self"
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _check_deadline()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_deadline()
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator == "**" and isinstance(right, int) and abs(right) > 1024:
            raise SecurityError("a power this large is not allowed in a template")
        return super().call_binop(context, operator, left, right)


def _check_repeat(sequence: Any, count: Any) -> None:
    repeated = isinstance(sequence, str | list | tuple) and isinstance(count, int)
    if repeated and len(sequence) * count > MAX_VALUE:
        raise SecurityError(f"a value of more than {MAX_VALUE:,} items is not allowed")


def _check_deadline() -> None:
    deadline = getattr(_limits, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise SecurityError(f"the template ran longer than {SECONDS:.0f} seconds")


def render_bounded(template: Template, context: dict[str, Any]) -> str:
    """``template`` rendered with ``context`` within the time and size limits (SecurityError)."""
    previous = getattr(_limits, "deadline", None)
    _limits.deadline = time.monotonic() + SECONDS
    try:
        parts, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_CHARACTERS:
                raise SecurityError(f"the template wrote more than {MAX_CHARACTERS:,} characters")
            parts.append(chunk)
            _check_deadline()
        return "".join(parts)
    finally:
        _limits.deadline = previous
