"""GraphiQL served from local, vendored assets (see vendor.sh): works with no internet."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"
ASSET_PREFIX = "/graphiql/assets"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@cache
def page() -> bytes:
    """The GraphiQL HTML page (asset URLs point at the router's own /graphiql/assets)."""
    html = (Path(__file__).parent / "index.html").read_text()
    return html.replace("{assets}", ASSET_PREFIX).encode()


@cache
def asset(name: str, gzipped: bool) -> tuple[bytes, str] | None:
    """(body, content type) of a vendored asset, gzip-encoded or not; None if unknown."""
    if "/" in name or name.startswith("."):
        return None
    path = ASSETS_DIR / f"{name}.gz"
    content_type = _TYPES.get(Path(name).suffix)
    if content_type is None or not path.is_file():
        return None
    data = path.read_bytes()
    return (data if gzipped else gzip.decompress(data)), content_type


__all__ = ["ASSET_PREFIX", "asset", "page"]
