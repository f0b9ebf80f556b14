"""The chat widget's files (web/static/), as the Rasa server serves them at /widget/.

Read once at start-up: a few hundred kilobytes, and a fixed set, so no request can reach a
file outside web/static/. Each has an ETag, so a browser that has it gets a 304:
- spine-chat.js is revalidated on every page load (no-cache), so a changed widget reaches
  every patient at once;
- the vendored socket.io client changes only with its pinned version (web/package.json), so
  browsers keep it for a day.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
WIDGET_CACHE = "no-cache"
VENDOR_CACHE = "public, max-age=86400"


@dataclass(frozen=True)
class WidgetFile:
    body: bytes
    content_type: str
    etag: str
    cache_control: str


def load_widget_files(folder: Path = STATIC) -> dict[str, WidgetFile]:
    """URL path under /widget/ -> the file, for every file in `folder`."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        files[name] = WidgetFile(
            body=body,
            content_type=kind,
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            cache_control=VENDOR_CACHE if name.startswith("vendor/") else WIDGET_CACHE,
        )
    return files
