"""Markdown that teachers write, rendered as HTML that cannot run anything."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is shown as text, not passed through; nh3 then removes
# anything unsafe that Markdown itself could produce (e.g. javascript: links).
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# Headings in an abstract sit below the page's own h1/h2.
_HEADING_SHIFT = {"<h1>": "<h3>", "</h1>": "</h3>", "<h2>": "<h4>", "</h2>": "</h4>"}


def render_markdown(source: str) -> Markup:
    """Sanitised HTML for a teacher's Markdown."""
    html = _markdown.render(source or "")
    for tag, replacement in _HEADING_SHIFT.items():
        html = html.replace(tag, replacement)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704  (nh3 output is safe by construction)


def _inline_text(children) -> str:
    """Inline tokens as text; a link keeps its address after its words."""
    parts, href = [], None
    for child in children or []:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "link_open":
            href = child.attrGet("href")
        elif child.type == "link_close" and href:
            parts.append(f" ({href})")
            href = None
    return "".join(parts)


def markdown_to_text(source: str) -> str:
    """A teacher's Markdown as plain text (for calendar descriptions): one line per
    block, list items marked, formatting marks and raw HTML dropped."""
    lines = []
    in_list_item = False
    for token in _markdown.parse(source or ""):
        if token.type == "list_item_open":
            in_list_item = True
        elif token.type == "inline":
            text = _inline_text(token.children)
            lines.append(f"• {text}" if in_list_item else text)
            in_list_item = False
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
    return "\n".join(lines)
