"""The plan of a build's outputs (`outputs.SiteOutputs`): the order in which units go to the
workers, which decides how well their caches of cards serve them (the files are the same in
any order)."""

from __future__ import annotations

import dataclasses

from build_checks import FIXTURE_CONTENT
from site_builder.config import load_config
from site_builder.content import load_content
from site_builder.outputs import SiteOutputs
from site_builder.progress import Progress
from site_builder.site import assemble_site
from site_builder.theme import theme_dirs


def test_pages_are_ordered_by_the_first_paper_they_show_feeds_by_their_middle_one() -> None:
    config = dataclasses.replace(load_config(FIXTURE_CONTENT / "site.yaml", None), page_size=2)
    loaded = load_content(FIXTURE_CONTENT, jobs=1, light=True)
    site = assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, config)
    outputs = SiteOutputs(site, loaded, config, theme_dirs(FIXTURE_CONTENT, config), None, 1, Progress(enabled=False))
    outputs.plan()
    position = {p.slug: i for i, p in enumerate(site.papers)}
    tags = {t.slug: t for t in site.tags}
    authors = {a.slug: a for a in site.authors}
    days = {d.date.isoformat(): d for d in site.days}
    pages = len(outputs.page_specs)

    def shown_first(unit: int) -> int:
        """Position of the first paper a page shows, of the middle one of those an author or tag
        feed shows (-1: none), read off the model."""
        spec = outputs.page_specs[unit] if unit < pages else outputs.feed_specs[unit - pages]
        page = getattr(spec, "page", 0)
        if spec.kind == "paper":
            return position[spec.key]
        if unit >= pages and spec.kind in ("author", "tag"):
            papers = authors[spec.key].papers if spec.kind == "author" else tags[spec.key].papers
            shown = [p for p in papers if p.digest_day is not None][:config.feed_items]  # newest first already
            return position[shown[len(shown) // 2].slug] if shown else -1
        papers = {"author": lambda: authors[spec.key].papers, "day": lambda: days[spec.key].papers,
                  # archive page n holds the n-th `page_size` papers counted from the oldest
                  "tag": lambda: tags[spec.key].papers[len(tags[spec.key].papers) - page * config.page_size if page else 0:],
                  }.get(spec.kind, lambda: ())()
        return position[papers[0].slug] if papers else -1

    units = list(range(len(outputs.paths)))
    key = outputs._locality()
    assert sorted(units, key=key) == sorted(units, key=lambda u: (shown_first(u), u))
    # The case that matters: a tag's archive pages sort by their own papers, not the tag's first.
    tag_pages = [(u, outputs.page_specs[u]) for u in units[:pages] if outputs.page_specs[u].kind == "tag"]
    front = {spec.key: u for u, spec in tag_pages if spec.page == 0}
    archive = [(u, spec) for u, spec in tag_pages if spec.page >= 1]
    assert archive and all(shown_first(u) > shown_first(front[spec.key]) for u, spec in archive)
    # And a feed of more than one paper does not sort by its first.
    wide = [(u, authors[spec.key]) for u, spec in enumerate(outputs.feed_specs, start=pages)
            if spec.kind == "author" and len(authors[spec.key].papers) > 2]
    assert wide and all(shown_first(u) > position[author.papers[0].slug] for u, author in wide)


def test_signatures_computed_on_several_processes_are_the_ones_computed_here(tmp_path, monkeypatch) -> None:
    from site_builder import outputs as outputs_module

    config = load_config(FIXTURE_CONTENT / "site.yaml", None)
    loaded = load_content(FIXTURE_CONTENT, jobs=1, light=True)
    site = assemble_site(loaded.papers, loaded.profiles, loaded.topic_names, config)
    dirs = theme_dirs(FIXTURE_CONTENT, config)
    jobs_used: list[int] = []
    ordered_map = outputs_module.ordered_map

    def watched(func, tasks, jobs, **options):  # noqa: ANN001, ANN003
        jobs_used.append(jobs)
        return ordered_map(func, tasks, jobs, **options)

    monkeypatch.setattr(outputs_module, "ordered_map", watched)
    plans = []
    for jobs, threshold in ((1, 10_000), (2, 1)):  # an empty manifest: every signature is computed
        monkeypatch.setattr(outputs_module, "PARALLEL_MIN_SIGNATURES", threshold)
        outputs = SiteOutputs(site, loaded, config, dirs, {}, jobs, Progress(enabled=False), tmp_path)
        outputs.plan()
        plans.append(outputs)
    assert jobs_used == [1, 2]
    serial, parallel = plans
    assert len(serial.signatures) == len(serial.paths) > 30 and all(serial.signatures)
    assert parallel.signatures == serial.signatures
    assert parallel.todo == serial.todo == list(range(len(serial.paths)))
    assert len(set(serial.signatures)) == len(serial.signatures)  # each names its unit too
