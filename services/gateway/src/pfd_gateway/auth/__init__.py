"""Accounts and access: users, sessions, API keys, TOTP, login throttling and resource shares.

``AuthService`` (service.py) is the entry point; routers and the dashboard call its parts.
"""
