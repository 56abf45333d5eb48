"""Email templates (text and HTML) for a notification, a digest and the test email. Values are escaped in HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from string import Template

SUBJECT_PREFIX = "[PFD] "

TEXT = Template("""$title

$body

$link_line--
PFD bearing fault diagnosis · change what you receive: $prefs_url
""")
HTML = Template("""<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#212529;max-width:640px">
<h2 style="font-size:18px;margin:0 0 12px">$title</h2>
$content
<p style="color:#6c757d;font-size:12px;margin-top:24px">PFD bearing fault diagnosis ·
<a href="$prefs_url">change what you receive</a></p>
</body></html>
""")
PREFERENCES_PATH = "/notifications/preferences"


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


@dataclass(frozen=True)
class Entry:
    title: str
    body: str
    link: str | None = None


def _url(base: str, link: str | None) -> str | None:
    return None if link is None else base.rstrip("/") + link


def _render(title: str, text_body: str, html_content: str, base_url: str, link: str | None) -> Email:
    prefs = _url(base_url, PREFERENCES_PATH) or ""
    url = _url(base_url, link)
    text = TEXT.substitute(title=title, body=text_body, link_line=f"Open: {url}\n\n" if url else "", prefs_url=prefs)
    html = HTML.substitute(title=escape(title), content=html_content, prefs_url=escape(prefs, quote=True))
    return Email(SUBJECT_PREFIX + title, text, html)


def _entry_html(entry: Entry, base_url: str) -> str:
    url = _url(base_url, entry.link)
    title = escape(entry.title)
    heading = f'<a href="{escape(url, quote=True)}">{title}</a>' if url else title
    return f"<p><strong>{heading}</strong><br>{escape(entry.body)}</p>"


def notification_email(entry: Entry, base_url: str) -> Email:
    return _render(entry.title, entry.body, f"<p>{escape(entry.body)}</p>" + (
        f'<p><a href="{escape(_url(base_url, entry.link) or "", quote=True)}">Open in PFD</a></p>'
        if entry.link else ""), base_url, entry.link)


def digest_email(entries: list[Entry], frequency: str, base_url: str) -> Email:
    title = f"Your {frequency} digest: {len(entries)} event{'s' if len(entries) != 1 else ''}"
    text = "\n\n".join(f"- {e.title}\n  {e.body}" for e in entries)
    return _render(title, text, "".join(_entry_html(e, base_url) for e in entries), base_url, "/notifications")


def test_email(base_url: str) -> Email:
    body = "This is a test email from PFD: the SMTP configuration works."
    return _render("Test email", body, f"<p>{escape(body)}</p>", base_url, None)


test_email.__test__ = False  # type: ignore[attr-defined] - not a pytest test
