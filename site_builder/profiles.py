"""Author profiles and topic names: the small YAML files of `content/` next to the papers.

`content/authors/<author-slug>.yaml` holds what a profile page shows of an author (name,
primary category, counts, where it was captured); `content/topics.yaml` the topic rules, of
which the build needs only each topic's slug and display name. Each file is checked field by
field, and every problem of every file is reported together (`ProblemList`), with its line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from site_builder.errors import Problem, ProblemList
from site_builder.frontmatter import (
    SLUG_RE,
    SLUG_RULE,
    FrontMatterLoader,
    check_count,
    check_date,
    check_fields,
    check_optional_text,
    check_text,
)
from site_builder.model import AuthorProfile
from site_builder.slugs import author_slug

_PROFILE_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "name": check_text,
    "primary_category": check_optional_text,
    "h_index": check_count,
    "papers": check_count,
    "citations": check_count,
    "novelty": check_count,
    "ai_score": check_count,
    "source": check_optional_text,
    "captured": check_date,
}


def load_profiles(content_dir: Path) -> dict[str, AuthorProfile]:
    """`content_dir/authors/<author-slug>.yaml` -> {slug: AuthorProfile}, sorted by slug.

    The file name must be the author's slug (`author_slug(name)`), so the profile lands on
    the author's page; raises `ProblemList` with every problem of every file.
    """
    authors_dir = Path(content_dir) / "authors"
    files = sorted(p for p in authors_dir.glob("*.yaml") if not p.name.startswith(".")) if authors_dir.is_dir() else []
    profiles: dict[str, AuthorProfile] = {}
    problems: list[Problem] = []
    for path in files:
        data, text, found = _read_yaml(path)
        problems += found
        if found:
            continue
        if not isinstance(data, dict):
            problems.append(Problem("expected profile fields (key: value), at least 'name: ...'", str(path), 1))
            continue
        values, bad = check_fields(data, _PROFILE_FIELDS)
        if "name" not in data:
            bad.append(("", "missing required field 'name' (the author's name as written on papers)"))
        elif "name" in values and author_slug(values["name"]) != path.stem:
            bad.append(("name", f"the file of {values['name']!r} must be named {author_slug(values['name'])}.yaml "
                                "(the author's slug), so the profile appears on the author's page"))
        if bad:
            lines = _yaml_key_lines(text)
            problems += [Problem(message, str(path), lines.get(key, 1)) for key, message in bad]
            continue
        profiles[path.stem] = AuthorProfile(slug=path.stem, **values)
    if problems:
        raise ProblemList(problems)
    return profiles


def load_topic_names(content_dir: Path) -> dict[str, str]:
    """Topic slug -> display name from `content_dir/topics.yaml` ({} when there is none).

    The file is a list of rules `{slug, name, keywords, patterns}` (or `{topics: [...]}`);
    only `slug` and `name` matter here: the rules themselves are the ingest's business.
    """
    path = Path(content_dir) / "topics.yaml"
    if not path.is_file():
        return {}
    data, text, problems = _read_yaml(path)
    if problems:
        raise ProblemList(problems)
    if isinstance(data, dict) and isinstance(data.get("topics"), list):
        data = data["topics"]
    if data is None:
        return {}
    if not isinstance(data, list):
        raise ProblemList([Problem("expected a list of topics (- slug: ..., name: ...)", str(path), 1)])
    item_lines = _yaml_item_lines(text)
    names: dict[str, str] = {}
    for index, item in enumerate(data):
        line = item_lines[index] if index < len(item_lines) else 1
        slug = item.get("slug") if isinstance(item, dict) else None
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(Problem(f"each topic needs a 'slug' ({SLUG_RULE}), got {slug!r}", str(path), line))
            continue
        name = item.get("name", slug)
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"topic {slug!r}: 'name' must be non-empty text, got {name!r}", str(path), line))
        elif slug in names:
            problems.append(Problem(f"topic {slug!r} is defined twice", str(path), line))
        else:
            names[slug] = name.strip()
    if problems:
        raise ProblemList(problems)
    return dict(sorted(names.items()))


def _read_yaml(path: Path) -> tuple[Any, str, list[Problem]]:
    """(data, text, problems) of a small YAML file; dates stay text for the checkers."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, "", [Problem(f"not UTF-8 text ({exc.reason}); save the file as UTF-8", str(path))]
    except OSError as exc:
        return None, "", [Problem(f"cannot read the file: {exc.strerror}", str(path))]
    try:
        return yaml.load(text, Loader=FrontMatterLoader), text, []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, text, [Problem(f"invalid YAML: {reason}", str(path), mark.line + 1 if mark else 1)]
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. `!!timestamp x`
        return None, text, [Problem(f"invalid YAML: {exc}", str(path), 1)]


def _yaml_key_lines(text: str) -> dict[str, int]:
    try:
        node = yaml.compose(text, Loader=FrontMatterLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _yaml_item_lines(text: str) -> list[int]:
    try:
        node = yaml.compose(text, Loader=FrontMatterLoader)
    except yaml.YAMLError:
        return []
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "topics"), None)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]
