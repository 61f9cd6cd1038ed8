"""`content/site.yaml`: every key optional with a working default; unknown or mistyped keys are errors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

from site_builder.errors import ContentError, Problem, ProblemList


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Research Digest"
    description: str = "A daily digest of research papers, with search, feeds and a day-by-day archive."
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    author: str = "site_builder"  # who publishes the site (feed <managingEditor>/<author>)
    feed_items: int = 30  # items per feed (days in the digest feed, papers in author/tag feeds)
    page_size: int = 50  # papers per page on tag pages
    home_days: int = 7  # digest days shown on the home page
    related_papers: int = 5  # related papers listed on a paper page
    theme: str | None = None  # a theme folder (relative to the site root) overriding themes/default
    timezone: str = "UTC"  # feeds give each day at 00:00 in this zone; only UTC is supported for now


_INT_KEYS_MIN = {"feed_items": 1, "page_size": 1, "home_days": 1, "related_papers": 0}


def load_config(path: Path, base_url: str | None = None) -> SiteConfig:
    """Read `site.yaml` (a missing file gives the defaults); `base_url` overrides the file's."""
    values: dict = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ContentError(f"not UTF-8 text ({exc.reason})", path) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ContentError(
                f"invalid YAML: {getattr(exc, 'problem', exc)}", path, mark.line + 1 if mark else None
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ContentError("expected a mapping of settings (key: value)", path, 1)
        values = data
    fields = {f.name: f for f in dataclasses.fields(SiteConfig)}
    problems: list[Problem] = []
    lines = _key_lines(path) if path.exists() else {}
    clean: dict = {}
    for key, value in values.items():
        line = lines.get(str(key))
        if key not in fields:
            known = ", ".join(sorted(fields))
            problems.append(Problem(f"unknown setting {key!r} (known settings: {known})", str(path), line))
            continue
        expected = _expected_type(key)
        if value is None and key == "theme":
            clean[key] = None
        elif expected is int and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(Problem(f"setting {key!r} must be a whole number, got {value!r}", str(path), line))
        elif expected is int and value < _INT_KEYS_MIN.get(key, 0):
            problems.append(Problem(f"setting {key!r} must be at least {_INT_KEYS_MIN[key]}, got {value}", str(path), line))
        elif expected is str and not isinstance(value, str):
            problems.append(Problem(f"setting {key!r} must be text, got {value!r}", str(path), line))
        else:
            clean[key] = value
    if "base_url" in clean and not str(clean["base_url"]).startswith(("http://", "https://")):
        problems.append(Problem("setting 'base_url' must start with http:// or https://", str(path), lines.get("base_url")))
    if clean.get("timezone", "UTC") != "UTC":
        problems.append(Problem("setting 'timezone' supports only 'UTC'", str(path), lines.get("timezone")))
    if problems:
        raise ProblemList(problems)
    if base_url is not None:
        if not base_url.startswith(("http://", "https://")):
            raise ContentError(f"--base-url must start with http:// or https://, got {base_url!r}")
        clean["base_url"] = base_url
    if not clean.get("base_url", SiteConfig.base_url).endswith("/"):
        clean["base_url"] = clean["base_url"] + "/"
    return SiteConfig(**clean)


def _expected_type(key: str) -> type:
    return int if key in _INT_KEYS_MIN else str


def _key_lines(path: Path) -> dict[str, int]:
    """Line number of each top-level key, for error messages."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
