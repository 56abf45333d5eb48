"""The page shell: header (live state, theme toggle, user menu), sidebar of real pages, error area, content."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pfd_gateway.dashboard.components.live import WS_STATE, live_stores
from pfd_gateway.dashboard.components.notifications import notification_bell
from pfd_gateway.dashboard.errors import ERROR_AREA
from pfd_gateway.dashboard.session import DashboardUser
from pfd_gateway.settings import DashboardSettings


def sidebar(user: DashboardUser) -> html.Nav:
    """Every registered page that asks for a sidebar entry (admin pages for admins only), in page order."""
    pages = [page for page in dash.page_registry.values()
             if page.get("sidebar") and (not page.get("admin") or user.principal.is_admin)]
    links = [
        dbc.NavLink([html.I(className=f"bi {page.get('icon', 'bi-circle')} me-2"), page["name"]],
                    href=page["relative_path"], active="exact", id=f"shell-nav-{page['module'].rsplit('.', 1)[-1]}")
        for page in sorted(pages, key=lambda p: p.get("order") or 0)
    ]
    return html.Nav(dbc.Nav(links, vertical=True, pills=True), className="pfd-sidebar p-3 border-end",
                    id="shell-sidebar")


def user_menu(user: DashboardUser) -> dbc.DropdownMenu:
    return dbc.DropdownMenu([
        dbc.DropdownMenuItem([html.Div(user.email, className="fw-semibold"),
                              html.Small(f"Role: {user.role}", className="text-body-secondary")],
                             header=True, id="shell-user-identity"),
        dbc.DropdownMenuItem([html.I(className="bi bi-gear me-2"), "Settings"], href="/settings"),
        dbc.DropdownMenuItem(divider=True),
        dbc.DropdownMenuItem([html.I(className="bi bi-box-arrow-right me-2"), "Log out"], id="shell-logout"),
    ], label=[html.I(className="bi bi-person-circle me-1"), user.name], align_end=True, color="link",
        id="shell-user-menu", toggle_class_name="text-decoration-none")


def header(user: DashboardUser) -> dbc.Navbar:
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand([html.I(className="bi bi-activity me-2 text-primary"), "PFD"], href="/", className="fw-bold"),
        html.Div([
            dbc.Badge("connecting", id=WS_STATE, color="secondary", className="pfd-ws-state", pill=True),
            notification_bell(),
            dbc.Button(html.I(className="bi bi-moon-stars", id="shell-theme-icon"), id="shell-theme-toggle",
                       color="link", className="px-2", title="Toggle light/dark theme"),
            user_menu(user),
        ], className="d-flex align-items-center gap-2 ms-auto"),
    ], fluid=True), color="body-tertiary", dark=False, className="border-bottom pfd-header px-2", sticky="top")


def theme_store() -> dcc.Store:
    return dcc.Store(id="shell-theme", storage_type="local")


def shell_layout(user: DashboardUser | None, settings: DashboardSettings) -> html.Div:
    """The whole page; signed out (the login page) it is only the content area."""
    content = html.Main([html.Div(id=ERROR_AREA), dash.page_container], className="pfd-content p-4 flex-grow-1")
    if user is None:
        return html.Div([theme_store(), content], className="pfd-public")
    return html.Div([
        theme_store(), dcc.Store(id="shell-logout-done"), *live_stores(settings), header(user),
        html.Div([sidebar(user), content], className="d-flex pfd-body"),
    ])
