"""Browser tests of the dashboard (Playwright + Debian chromium)."""
