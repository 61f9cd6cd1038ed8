"""The caches for work done in a known order (site_builder/reuse.py), and their use by the feeds."""

from __future__ import annotations

import random

from site_builder.reuse import NEVER, ScheduledCache, next_uses


def test_next_uses_point_at_the_next_unit_using_the_same_key():
    schedule = [("a", "b"), ("c",), ("b", "a", "b"), (), ("a",)]
    assert next_uses(schedule) == [(2, 2), (NEVER,), (2, 4, NEVER), (), (NEVER,)]


def run(schedule, capacity):
    """Render every use of `schedule` through a cache; (renders, largest size), checking that
    every result is the one of its key."""
    cache = ScheduledCache(capacity)
    largest = 0
    for now, (keys, nexts) in enumerate(zip(schedule, next_uses(schedule))):
        for key, following in zip(keys, nexts):
            found = cache.get(key, now, following)
            if found is None:
                found = f"result of {key}"
                cache.put(key, found, now, following)
            assert found == f"result of {key}"
            largest = max(largest, len(cache))
    return cache.made, largest


def fewest_renders(schedule, capacity):
    """Belady's optimum, by brute force: on a miss with a full cache, drop the key used
    furthest ahead (or never); never keep a key with no later use."""
    kept: set = set()
    renders = 0
    uses = [(now, key) for now, keys in enumerate(schedule) for key in keys]
    for i, (now, key) in enumerate(uses):
        later = [k for _, k in uses[i + 1:]]
        if key not in kept:
            renders += 1
        kept.discard(key)
        if key in later:
            kept.add(key)
        while len(kept) > capacity:
            kept.remove(max(kept, key=lambda k: later.index(k) if k in later else len(later)))
    return renders


def lru_renders(schedule, capacity):
    kept: dict = {}
    renders = 0
    for keys in schedule:
        for key in keys:
            if key in kept:
                del kept[key]
            else:
                renders += 1
            kept[key] = None
            if len(kept) > capacity:
                del kept[next(iter(kept))]
    return renders


def test_the_cache_renders_as_few_times_as_belady_and_stays_within_its_capacity():
    rng = random.Random(3)
    for trial in range(80):
        keys = [f"k{i}" for i in range(rng.randint(2, 25))]
        # One key a unit: the use order is the unit order, and Belady's optimum is unique.
        schedule = [(rng.choice(keys),) for _ in range(rng.randint(1, 60))]
        capacity = rng.randint(1, 8)
        renders, largest = run(schedule, capacity)
        assert largest <= capacity
        assert renders == fewest_renders(schedule, capacity), (trial, schedule, capacity)


def test_with_several_keys_a_unit_it_renders_no_more_than_a_least_recently_used_cache():
    rng = random.Random(4)
    for trial in range(80):
        keys = [f"k{i}" for i in range(rng.randint(3, 25))]
        schedule = [tuple(rng.sample(keys, rng.randint(0, min(6, len(keys))))) for _ in range(rng.randint(1, 40))]
        capacity = rng.randint(1, 8)
        renders, largest = run(schedule, capacity)
        assert largest <= capacity
        assert len({k for unit in schedule for k in unit}) <= renders <= lru_renders(schedule, capacity), trial
    # Room for everything: each key rendered once.
    assert run(schedule, 1000)[0] == len({k for unit in schedule for k in unit})


def test_a_result_nothing_will_use_again_is_not_kept():
    cache = ScheduledCache(10)
    cache.put("once", "x", now=0, next_use=NEVER)
    assert "once" not in cache
    cache.put("twice", "y", now=0, next_use=3)
    assert cache.get("twice", now=3, next_use=NEVER) == "y"
    assert "twice" not in cache and len(cache) == 0


def test_results_whose_planned_use_passed_go_before_the_ones_still_ahead():
    # Another process rendered the unit that was to use "gone"; when full, it goes first.
    cache = ScheduledCache(4)
    for key, following in (("gone", 2), ("far", 90), ("near", 60), ("mid", 70)):
        cache.put(key, key, now=0, next_use=following)
    cache.put("new", "new", now=50, next_use=80)  # over capacity at unit 50: "gone" is past (2)
    assert "gone" not in cache and all(key in cache for key in ("far", "near", "mid", "new"))


def test_feed_items_are_rendered_once_each_when_the_feeds_are_planned(monkeypatch):
    from site_builder import feeds as feeds_module
    from tests.build.test_feeds import BASE, PAPERS, build_site

    from site_builder.config import SiteConfig
    from site_builder.urls import Urls

    made: list[str] = []
    rss_item = feeds_module.rss_item
    monkeypatch.setattr(feeds_module, "rss_item", lambda title, url, *rest: made.append(url) or rss_item(title, url, *rest))
    site = build_site(PAPERS)
    config = SiteConfig(base_url=BASE)
    renderer = feeds_module.FeedRenderer(site, config, Urls.for_base(BASE))
    specs = feeds_module.feed_specs(site)
    renderer.plan(list(reversed(specs)))  # any order, as long as it is the one rendered
    rendered = {spec: renderer.render(spec) for spec in reversed(specs)}
    shown = [p.slug for spec in specs for p in renderer.shown(spec)]
    paper_items = [url for url in made if "/papers/" in url]
    assert len(shown) > len(set(shown)) > 1, "the fixture's feeds share papers"
    assert sorted(paper_items) == sorted({BASE + f"papers/{slug}/" for slug in shown})  # each once
    # The same bytes as feeds rendered in the site's order, and without a plan.
    assert rendered == dict(zip(specs, (b for _, b in feeds_module.iter_feeds(site, config, Urls.for_base(BASE)))))
    unplanned = feeds_module.FeedRenderer(site, config, Urls.for_base(BASE))
    assert rendered == {spec: unplanned.render(spec) for spec in specs}
