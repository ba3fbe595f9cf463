"""The history feed in Atom 1.0 (RFC 4287): one entry per published update.

Built with `xml.etree`, which escapes every text and attribute, so update bodies cannot break out
of their element whatever they contain.
"""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from service.domain.enums import Language
from service.statuspage import view
from service.statuspage.strings import Strings

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def feed(
    items: list[view.PublicIncident],
    *,
    lang: Language,
    strings: Strings,
    page_name: str,
    public_url: str,
    limit: int = 50,
) -> bytes:
    """The serialized feed, newest update first, in `lang` where a rendition exists."""
    base = public_url.rstrip("/")
    updates = sorted(
        ((incident, update) for incident in items for update in incident.updates),
        key=lambda pair: pair[1].display_at,
        reverse=True,
    )[:limit]
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang.value})
    _sub(root, "id", f"{base}/history.atom")
    _sub(root, "title", page_name)
    newest = updates[0][1].display_at if updates else datetime(1970, 1, 1, tzinfo=UTC)
    _sub(root, "updated", _time(newest))
    _sub(
        root,
        "link",
        rel="self",
        type="application/atom+xml",
        href=f"{base}/history.atom?lang={lang.value}",
    )
    _sub(root, "link", rel="alternate", type="text/html", href=f"{base}/?lang={lang.value}")
    author = _sub(root, "author")
    _sub(author, "name", page_name)
    for incident, update in updates:
        entry = _sub(root, "entry", **{XML_LANG: update.language.value})
        url = f"{base}/incidents/{incident.id}?lang={update.language.value}#update-{update.id}"
        _sub(entry, "id", f"{base}/incidents/{incident.id}#update-{update.id}")
        label = strings.status(update.language, update.status)
        _sub(entry, "title", f"{update.title} — {label}")
        _sub(entry, "published", _time(update.created_at))
        _sub(entry, "updated", _time(update.updated_at))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "content", update.body, type="text")
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
