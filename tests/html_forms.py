"""Read a form off a page as a browser would send it: what tests post is what the page holds."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((a.get("action", ""), self._fields))
        elif self._fields is None or a.get("disabled") is not None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "reset", "file"):
                self._fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            name, parts = self._textarea
            self._fields.append((name, _first_newline_dropped("".join(parts))))
            self._textarea = None


def form_on(page: str, action: str) -> dict[str, list[str]]:
    """The fields of the page's form sent to `action` (its path), as the browser sends them."""
    parser = _Forms()
    parser.feed(page)
    for target, fields in parser.forms:
        if target.split("?")[0] == action:
            sent: dict[str, list[str]] = {}
            for name, value in fields:
                sent.setdefault(name, []).append(value)
            return sent
    raise AssertionError(f"no form to {action} on the page")


def _first_newline_dropped(text: str) -> str:
    """A textarea's content less the one newline right after its start tag, as HTML reads it."""
    for newline in ("\r\n", "\n", "\r"):
        if text.startswith(newline):
            return text.removeprefix(newline)
    return text
