"""Form pieces of the data pages: a labelled input with its own error slot."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html


def form_field(label: str, component: Any, hint: str = "", *, feedback: bool = False) -> html.Div:
    """Label, input, a hint and with ``feedback`` the input's error slot (``{id}-feedback``, shown while the
    input is ``invalid``)."""
    return html.Div([
        dbc.Label(label, html_for=component.id), component,
        dbc.FormFeedback(id=f"{component.id}-feedback", type="invalid") if feedback else None,
        dbc.FormText(hint) if hint else None,
    ], className="mb-3")

