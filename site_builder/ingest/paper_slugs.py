"""Which file each paper lives in (pure): stable slugs, collisions resolved without overwriting.

* A paper ingest has written before keeps the slug recorded in the state file, whatever its
  title says now (a person may have corrected the title).
* A file ingest did not write (made by hand, or a recorded file a person renamed) whose title has
  a paper's merge key becomes that paper's file, unless the paper's recorded file still exists.
* Every other paper is new: its slug is `make_slug(title)`; when that slug is already taken (by a
  recorded paper, by any existing file, or by a new paper earlier in merge-key order) it gets
  `-<short_hash(merge key)>` appended. So the result depends only on the titles and the state,
  never on the order the dumps were read in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_builder.slugs import make_slug, short_hash


@dataclass(frozen=True)
class SlugPlan:
    slug: str
    adopted: bool = False  # the file exists but ingest did not write it under this paper's name


def assign_slugs(
    papers: Sequence[tuple[str, str]],
    recorded: Mapping[str, str],
    files: set[str],
    unrecorded_files: Mapping[str, str],
) -> dict[str, SlugPlan]:
    """Map each (merge key, title) to its slug.

    `recorded`: merge key -> slug from the state file; `files`: slugs of the paper files on disk;
    `unrecorded_files`: merge key -> slug of a file on disk the state does not know (first by
    name when several have the same title).
    """
    plans: dict[str, SlugPlan] = {}
    new: list[tuple[str, str]] = []
    for key, title in papers:
        slug = recorded.get(key)
        if slug is not None and (slug in files or key not in unrecorded_files):
            plans[key] = SlugPlan(slug)
        elif key in unrecorded_files:
            plans[key] = SlugPlan(unrecorded_files[key], adopted=True)
        else:
            new.append((key, title))

    taken = set(recorded.values()) | files | {plan.slug for plan in plans.values()}
    for key, title in sorted(new):
        base = make_slug(title)
        slug, length = base, 6
        while slug in taken:
            slug = f"{base}-{short_hash(key, length)}"
            length += 2
        taken.add(slug)
        plans[key] = SlugPlan(slug)
    return plans
