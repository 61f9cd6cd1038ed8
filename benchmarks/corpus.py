"""A deterministic synthetic corpus: papers, authors and days that look like a real digest.

Everything comes from one `random.Random(seed)`, drawn in a fixed order, so the same
(papers, seed, calendar) always gives the same corpus. Papers are produced day by day
(`Corpus.days()`), so writers can stream them to disk without holding the corpus in memory.

Shape (see benchmarks/README.md): about papers/3 authors grouped in labs whose output follows a
Zipf-like law (a few authors have hundreds of papers, most have a few); every author appears at
least once; 2-8 authors a paper; several papers every weekday, more as time goes on; the nine
arXiv categories skewed towards cs.LG; 1-4 of 60 topics a paper; abstracts of 120-250 words,
half of them with inline LaTeX; unique titles and slugs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from benchmarks import text
from benchmarks.vocabulary import AFFILIATIONS, CATEGORIES, FIRST_NAMES, LAST_NAMES, ORGANIZATIONS, TOPICS
from site_builder.slugs import author_slug

END_DATE = dt.date(2025, 6, 27)  # the last day of every synthetic calendar (a Friday)
MAX_WEEKDAYS = 1300  # about five years of weekdays
AUTHOR_COUNTS = (2, 3, 4, 5, 6, 7, 8)
AUTHOR_COUNT_WEIGHTS = (10, 22, 24, 18, 12, 8, 6)
TOPIC_COUNT_WEIGHTS = (35, 35, 20, 10)  # 1, 2, 3, 4 topics


@dataclass(frozen=True, slots=True)
class SyntheticPaper:
    """One paper: what its content file says, plus what the dumps need (`all_authors`)."""

    title: str
    slug: str
    abstract: str
    all_authors: tuple[str, ...]  # everyone, in order (a profile dump shows the first three)
    authors: tuple[str, ...]  # what the content file lists
    authors_complete: bool
    author_count: int | None
    affiliations: tuple[str, ...]
    date: dt.date | None
    added: dt.date
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    code: bool
    upvotes: int | None
    organization: tuple[str, str] | None  # (handle, display name)
    sources: tuple[str, ...]


class _Weighted:
    """Draw indices with fixed weights in O(log n) (cumulative sums + bisect)."""

    def __init__(self, weights: list[float]) -> None:
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])


def weekdays_ending(end: dt.date, count: int) -> list[dt.date]:
    """The last `count` weekdays up to `end`, oldest first."""
    days: list[dt.date] = []
    day = end
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


def default_weekdays(papers: int) -> int:
    """About 13 papers a weekday (10,000 papers span three years), at most five years (100,000
    papers: about 77 a weekday)."""
    return max(5, min(papers // 13, MAX_WEEKDAYS))


class Corpus:
    """The corpus for (papers, seed) over `weekdays` weekdays ending at `end`."""

    def __init__(self, papers: int, seed: int, end: dt.date = END_DATE, weekdays: int | None = None) -> None:
        if papers < 1:
            raise ValueError("papers must be at least 1")
        self.papers = papers
        self.rng = random.Random(seed)
        self.calendar = weekdays_ending(end, weekdays or default_weekdays(papers))
        self.authors = self._author_pool(max(12, papers // 3))
        self._labs, self._lab_of, self._lab_draw, self._member_draws = self._labs_for(len(self.authors))
        self._category_draw = _Weighted([w for _, _, w in CATEGORIES])
        self._topic_by_category = {
            cat: _Weighted([(4.0 if home == cat else 1.0) / (rank + 2) ** 0.8 for rank, (*_, home) in enumerate(TOPICS)])
            for cat, _, _ in CATEGORIES
        }
        self.titles = text.TitleMaker(self.rng)
        self.day_counts_drawn: list[int] = []  # by `days()`, which `next_day` continues
        # Whose papers a profile dump (and content/authors/) describes: the heads of the busiest labs.
        self.profile_authors = tuple(self.authors[start] for start, _ in self._labs[: max(2, min(20, papers // 2000))])

    # --- authors -----------------------------------------------------------------------------

    def _author_pool(self, count: int) -> tuple[str, ...]:
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < count:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            extra = self.rng.random()
            if extra < 0.25 or len(seen) > 0.6 * len(FIRST_NAMES) * len(LAST_NAMES):
                first = f"{first} {self.rng.choice(FIRST_NAMES)}"
            elif extra < 0.35:
                first = f"{first} {chr(65 + self.rng.randrange(26))}."
            name = f"{first} {last}"
            key = author_slug(name)
            if key not in seen:
                seen.add(key)
                names.append(name)
        return tuple(names)

    def _labs_for(self, count: int):
        """Split authors into labs of 5-40 (in pool order); busier labs and lab heads publish more."""
        labs: list[tuple[int, int]] = []  # (first author index, size)
        start = 0
        while start < count:
            size = min(count - start, self.rng.randint(5, 40))
            labs.append((start, size))
            start += size
        lab_of = [0] * count
        for lab, (first, size) in enumerate(labs):
            lab_of[first : first + size] = [lab] * size
        lab_draw = _Weighted([1.0 / (rank + 4) ** 1.1 for rank in range(len(labs))])
        member_draws = {size: _Weighted([1.0 / (rank + 1) ** 1.3 for rank in range(size)]) for _, size in labs}
        return labs, lab_of, lab_draw, member_draws

    def _draw_from_lab(self, lab: int) -> int:
        first, size = self._labs[lab]
        return first + self._member_draws[size].draw(self.rng)

    def _paper_authors(self, index: int) -> tuple[int, ...]:
        """Author indices: every third paper brings in a newcomer (so every author appears);
        the rest come mostly from the same lab, sometimes from elsewhere."""
        rng = self.rng
        wanted = AUTHOR_COUNTS[bisect.bisect_right(_AUTHOR_COUNT_CUMULATIVE, rng.random() * _AUTHOR_COUNT_CUMULATIVE[-1])]
        newcomer = index // 3 if index % 3 == 0 and index // 3 < len(self.authors) else None
        lab = self._lab_of[newcomer] if newcomer is not None else self._lab_draw.draw(rng)
        chosen: list[int] = [] if newcomer is None else [newcomer]
        for _ in range(wanted * 3):
            if len(chosen) == wanted:
                break
            other = self._draw_from_lab(lab) if rng.random() < 0.75 else self._draw_from_lab(self._lab_draw.draw(rng))
            if other not in chosen:
                chosen.append(other)
        head = self._labs[lab][0]
        if head in chosen[1:] and rng.random() < 0.7:  # the lab head usually signs last
            chosen.remove(head)
            chosen.append(head)
        return tuple(chosen)

    # --- papers --------------------------------------------------------------------------------

    def day_counts(self) -> list[int]:
        """Papers per calendar day: growing over time, jittered, summing to `papers`."""
        n = len(self.calendar)
        weights = [(1.0 + i / n) * self.rng.uniform(0.6, 1.4) for i in range(n)]
        total = sum(weights)
        exact = [self.papers * w / total for w in weights]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(n), key=lambda i: (counts[i] - exact[i], i))
        for i in by_remainder[: self.papers - sum(counts)]:
            counts[i] += 1
        return counts

    def days(self) -> Iterator[tuple[dt.date, list[SyntheticPaper]]]:
        """(day, papers added that day) for every calendar day, oldest first."""
        index = 0
        self.day_counts_drawn = self.day_counts()
        for day, count in zip(self.calendar, self.day_counts_drawn):
            papers = []
            for _ in range(count):
                papers.append(self._paper(index, day))
                index += 1
            yield day, papers

    def next_day(self) -> tuple[dt.date, list[SyntheticPaper]]:
        """The weekday after the calendar, with as many new papers as its last day had, by the
        corpus's authors: a daily update (the benchmark's `new day`). Call it after `days()`,
        whose random draws it continues, so its titles and slugs are new too."""
        day = self.calendar[-1] + dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        if not self.day_counts_drawn:
            raise RuntimeError("Corpus.next_day continues days(): go through days() first")
        count = self.day_counts_drawn[-1]
        return day, [self._paper(self.papers + i, day) for i in range(count)]

    def _paper(self, index: int, added: dt.date) -> SyntheticPaper:
        rng = self.rng
        primary = CATEGORIES[self._category_draw.draw(rng)][0]
        categories = [primary]
        for _ in range(rng.choices((0, 1, 2), (55, 33, 12))[0]):
            extra = CATEGORIES[self._category_draw.draw(rng)][0]
            if extra not in categories:
                categories.append(extra)
        topic_indices: list[int] = []
        for _ in range(rng.choices((1, 2, 3, 4), TOPIC_COUNT_WEIGHTS)[0]):
            topic = self._topic_by_category[primary].draw(rng)
            if topic not in topic_indices:
                topic_indices.append(topic)
        topic_indices.sort()  # rule order, as the ingest tags
        phrases = tuple(TOPICS[i][2][0] for i in topic_indices)

        title, slug = self.titles.unique_title(phrases)
        abstract = text.abstract(rng, phrases, with_math=rng.random() < 0.5)
        everyone = tuple(self.authors[i] for i in self._paper_authors(index))

        shape = rng.random()
        if shape < 0.12 and index % 3 != 0:  # a daily-list entry only: a count, no names
            authors, complete, count = (), False, len(everyone)
        elif shape < 0.30 and len(everyone) > 3:  # a profile entry: three names, et al.
            authors, complete = everyone[:3], False
            count = len(everyone) if rng.random() < 0.4 else None
        else:
            authors, complete = everyone, True
            count = len(everyone) if rng.random() < 0.3 else None

        timing = rng.random()
        if timing < 0.85:
            date: dt.date | None = added - dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 4, 6)))
        elif timing < 0.96:
            date = added - dt.timedelta(days=rng.randint(30, 3000))  # an older paper resurfacing
        else:
            date = None
        organization = ORGANIZATIONS[rng.randrange(len(ORGANIZATIONS))] if rng.random() < 0.08 else None
        affiliations = tuple(sorted(set(rng.sample(AFFILIATIONS, rng.choice((1, 1, 2)))))) if rng.random() < 0.3 else ()
        upvotes = min(int(rng.paretovariate(1.2)) - 1, 400) if rng.random() < 0.45 else None

        sources = [f"daily-{added.isoformat()}.txt"] if date is not None else [f"search-{added.isoformat()}.txt"]
        if authors:
            sources.insert(0, f"profile-{author_slug(everyone[0])}.txt")
        return SyntheticPaper(
            title=title, slug=slug, abstract=abstract, all_authors=everyone, authors=authors,
            authors_complete=complete, author_count=count, affiliations=affiliations, date=date, added=added,
            categories=tuple(categories), tags=tuple(TOPICS[i][0] for i in topic_indices),
            code=rng.random() < 0.25, upvotes=upvotes, organization=organization, sources=tuple(sources),
        )

    def profile_figures(self, name: str, papers: int) -> dict:
        """Made-up but plausible profile header figures for `name` (a function of name and count)."""
        rng = random.Random(f"{name}|{papers}")
        h_index = max(3, int(papers ** 0.6) + rng.randint(0, 10))
        return {
            "primary_category": CATEGORIES[rng.randrange(3)][0],
            "h_index": h_index,
            "papers": papers,
            "citations": h_index * h_index + rng.randint(0, 20 * papers),
            "novelty": rng.randint(30, 90),
            "ai_score": rng.randint(30, 90),
        }


_AUTHOR_COUNT_CUMULATIVE = list(itertools.accumulate(AUTHOR_COUNT_WEIGHTS))
