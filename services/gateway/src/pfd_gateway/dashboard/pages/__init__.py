"""One module per page; each exposes ``register(app, ctx)`` (page registration and its callbacks).

Conventions every page follows:
- component ids start with the page name (``system-health-...``);
- a server callback is thin: it calls ONE gateway service function through ``ctx.call`` and renders the
  result with ``components``/``figures``; failures go to the shared error boundary (``errors.py``);
- toggles, modals, tabs and input validation are clientside (functions in ``assets/*.js``);
- pushed events arrive through the ``live-*`` stores (``components/live.py``), never through intervals;
- each output has one owner.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from dash import dcc

from pfd_gateway.dashboard.session import current_user


def protected(layout: Callable[..., Any]) -> Callable[..., Any]:
    """A page layout that sends a signed-out visitor to /login (client-side navigation included)."""

    @wraps(layout)
    def guarded(**kwargs: Any) -> Any:
        if current_user() is None:
            return dcc.Location(id="shell-to-login", href="/login", refresh=True)
        return layout(**kwargs)

    return guarded
