"""Where every page lives. One place decides URLs, so links, feeds and the sitemap agree.

Internal links are root-relative paths that include the base URL's path (`/sub/papers/x/`),
so a site built for `https://user.github.io/repo/` works under `/repo/`; feeds, canonical
links and the sitemap use absolute URLs.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Urls:
    base_url: str  # always ends with "/"

    @classmethod
    def for_base(cls, base_url: str) -> "Urls":
        if not base_url.endswith("/"):
            base_url += "/"
        return cls(base_url)

    @functools.cached_property  # every internal link starts with it
    def base_path(self) -> str:
        """The path part of the base URL: "/" or "/sub/"."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    # Output-relative paths (no leading slash): where a page is written under public/.
    @staticmethod
    def paper(slug: str) -> str:
        return f"papers/{slug}/"

    @staticmethod
    def author(slug: str) -> str:
        return f"authors/{slug}/"

    @staticmethod
    def tag(slug: str, page: int = 0) -> str:
        """A tag's front page (0) or archive page n (counted from the oldest)."""
        return f"tags/{slug}/" if page == 0 else f"tags/{slug}/page/{page}/"

    @staticmethod
    def day(date: dt.date) -> str:
        return f"days/{date.isoformat()}/"

    @staticmethod
    def author_feed(slug: str) -> str:
        return f"authors/{slug}/feed.xml"

    @staticmethod
    def tag_feed(slug: str) -> str:
        return f"tags/{slug}/feed.xml"

    def path(self, rel: str) -> str:
        """Root-relative link to an output-relative path: "papers/x/" -> "/sub/papers/x/"."""
        return self.base_path + rel

    def absolute(self, rel: str) -> str:
        """Absolute URL of an output-relative path."""
        return self.base_url + rel
