"""Derive the site model from the loaded content: paper order, authors, tags, days, related papers.

Everything here is computed once, before rendering, in time linear in the corpus (papers plus
author slots plus tag slots), so the same code serves 10 papers and 100,000. Every ordering has a
full tie-break, so the same content always gives the same model (and byte-identical output).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import operator
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from site_builder import memo as memo_module
from site_builder.config import SiteConfig
from site_builder.content import gc_paused
from site_builder.errors import ContentError, Problem
from site_builder.model import (
    ARXIV_CATEGORY_NAMES, Author, AuthorProfile, DigestDay, Paper, Site, Tag, arrival_order, digest_order,
)
from site_builder.parallel import ordered_map, ranges
from site_builder.slugs import author_slug, make_slug

COAUTHOR_LIMIT = 50  # co-authors kept per author (most shared papers first)
AFFILIATION_LIMIT = 20  # affiliations kept per author (most frequent first)
# In a paper with more authors than this (a large collaboration), each author counts only the
# first LEAD_AUTHORS listed as co-authors: the work stays O(author slots x LEAD_AUTHORS) instead
# of quadratic in the collaboration's size, and the lead authors are the ones worth listing.
LEAD_AUTHORS = 50

# Related papers: weights of one shared term, before dividing by its rarity. A shared author
# outweighs several shared topics; a shared topic outweighs a shared category.
AUTHOR_WEIGHT = 100_000
TOPIC_WEIGHT = 4_000
CATEGORY_WEIGHT = 1_000
# A term on more papers than this (cs.LG may be on half the corpus) is not scanned in full: only
# the POSTINGS_SCAN_LIMIT papers nearest to this one in digest order are. Scanning it all would be
# quadratic, and such a term says little about any one pair; its nearest-in-time papers stand in.
POSTINGS_SCAN_LIMIT = 24
RELATED_PARALLEL_MIN = 5_000  # papers from which related papers are ranked on several processes
RELATED_CHUNK = 2_500  # papers ranked per task


def assemble_site(
    papers: Iterable[Paper],
    profiles: Mapping[str, AuthorProfile],
    topic_names: Mapping[str, str],
    config: SiteConfig,
    memo: dict | None = None,
    jobs: int = 1,
) -> Site:
    """The whole site model. Raises `ContentError` (listing every collision) when two tags
    would share one page. `memo` is a dict the build cache keeps between builds: the last
    authors and related papers, each with a key of what they were made from (see
    `build_authors`, `build_related`). `jobs` processes rank the related papers."""
    with gc_paused():
        ordered = sort_papers(papers)
        parts: dict[str, Any] = {}

        def other_parts() -> None:  # made here while the workers rank the related papers
            parts["authors"] = build_authors(ordered, profiles, memo_module.part(memo, "authors"))
            parts["tags"] = build_tags(ordered, topic_names)
            parts["days"] = build_days(ordered)

        related = build_related(ordered, config.related_papers, memo_module.part(memo, "related"), jobs,
                                meanwhile=other_parts)
        return Site(papers=ordered, authors=parts["authors"], tags=parts["tags"], days=parts["days"],
                    related=related, profiles=dict(sorted(profiles.items())))


def sort_papers(papers: Iterable[Paper]) -> tuple[Paper, ...]:
    """In `digest_order`: newest digest day first (papers with no day last), then title, then
    slug. (Loaded papers come in this order already: sorting them again is a single pass.)"""
    return tuple(sorted(papers, key=lambda p: digest_order(p.digest_day, p.title, p.slug)))


def build_authors(ordered: tuple[Paper, ...], profiles: Mapping[str, AuthorProfile],
                  memo: dict | None = None) -> tuple[Author, ...]:
    """One `Author` per author slug, alphabetical by name.

    Names that slugify alike are one person; the page shows the spelling used most (ties: the
    first alphabetically). `ordered` is newest first, so each author's papers are too. A
    profile whose author is on no paper still gets a page (with its figures and no papers).
    Affiliations are the papers', not the person's (a dump never says who is where), so an
    author's list is "affiliations seen on their papers", most frequent first.

    The result depends only on the papers' order, slugs, authors and affiliations and on the
    profiles' names: `memo` (a dict kept between builds) holds a hash of those and the last
    result (papers as positions in `ordered`), reused while the hash is the same, as after an
    edited abstract or title that keeps the order. Measured in one process on 2026-12-07: at
    100,000 papers (33,000 authors) 0.8-1.0 s with reading the memo, instead of 4.2-4.4 s; at
    10,000, 0.07 s instead of 0.16-0.27 s.
    """
    key = None
    if memo is not None:
        shape = ("authors", COAUTHOR_LIMIT, AFFILIATION_LIMIT, LEAD_AUTHORS,
                 [(p.slug, p.authors, p.affiliations) for p in ordered],
                 sorted((slug, profile.name) for slug, profile in profiles.items()))
        key = memo_module.key(shape)
        authors = memo_module.recall(memo, key, "authors", lambda saved: _authors_from_memo(saved, ordered, profiles))
        if authors is not None:
            return authors
    # Authors are numbered by their place in name order before the papers are read: the
    # per-author lists below are then indexed by number and co-authors counted as numbers
    # (hashed and compared in C). At 100,000 papers (1.8 million co-author slots), keyed by slug
    # strings, this took 2.6-2.7 s in one process; numbered, 2.0-2.4 s.
    uses = Counter(itertools.chain.from_iterable(paper.authors for paper in ordered))  # spelling -> slots
    slug_by_name = {name: author_slug(name) for name in uses}
    spellings: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name, count in uses.items():
        spellings[slug_by_name[name]].append((-count, name))
    names = {slug: min(found)[1] for slug, found in spellings.items()}  # most used, then alphabetical
    for slug, profile in profiles.items():
        names.setdefault(slug, profile.name)  # a profile whose author is on no paper
    # Every author in name order, once: the order of the result and each author's number.
    by_name = sorted(names, key=lambda slug: (names[slug].casefold(), names[slug], slug))
    place = {slug: i for i, slug in enumerate(by_name)}
    number_of = {name: place[slug] for name, slug in slug_by_name.items()}.__getitem__

    papers_of: list[list[int]] = [[] for _ in by_name]  # positions in `ordered`
    # Per author, every co-author slot and affiliation seen, counted at the end: list.extend and
    # Counter(list) run in C.
    coauthor_slots: list[list[int]] = [[] for _ in by_name]
    affiliation_slots: list[list[str]] = [[] for _ in by_name]
    for position, paper in enumerate(ordered):
        numbers = list(dict.fromkeys(map(number_of, paper.authors)))  # first listing order, each once
        lead = numbers[:LEAD_AUTHORS] if len(numbers) > 1 else ()
        affiliations = paper.affiliations
        for number in numbers:
            papers_of[number].append(position)
            if affiliations:
                affiliation_slots[number].extend(affiliations)
            if lead:
                coauthor_slots[number].extend(lead)  # includes the author; skipped when listing below

    authors = []
    # The memo's numbers, each column in one array of 4-byte ints (marshalled as bytes): as
    # Python lists they took 20 MB at 100,000 papers and loaded 3 times slower.
    paper_numbers, paper_ends, coauthor_numbers, coauthor_ends = array("i"), array("i"), array("i"), array("i")
    affiliations_of: list[tuple[str, ...]] = []
    for number, slug in enumerate(by_name):
        shared = [(-n, other) for other, n in Counter(coauthor_slots[number]).items() if other != number]
        shared.sort()  # most shared papers first, then name order
        top = shared[:COAUTHOR_LIMIT]
        seen = sorted((-n, a.casefold(), a) for a, n in Counter(affiliation_slots[number]).items())[:AFFILIATION_LIMIT]
        affiliations = tuple(a for _, _, a in seen)
        authors.append(
            Author(slug=slug, name=names[slug], papers=tuple([ordered[i] for i in papers_of[number]]),
                   coauthors=tuple((by_name[i], names[by_name[i]], -neg) for neg, i in top),
                   affiliations=affiliations, profile=profiles.get(slug))
        )
        if memo is not None:
            paper_numbers.extend(papers_of[number])
            paper_ends.append(len(paper_numbers))
            coauthor_numbers.extend([x for neg, i in top for x in (i, -neg)])  # co-author, shared papers, ...
            coauthor_ends.append(len(coauthor_numbers))
            affiliations_of.append(affiliations)
    if memo is not None:
        memo["key"] = key
        memo["authors"] = {"slugs": by_name, "names": [names[slug] for slug in by_name],
                           "papers": paper_numbers.tobytes(), "paper_ends": paper_ends.tobytes(),
                           "coauthors": coauthor_numbers.tobytes(), "coauthor_ends": coauthor_ends.tobytes(),
                           "affiliations": affiliations_of}
    return tuple(authors)


def _authors_from_memo(saved: dict, ordered: tuple[Paper, ...],
                       profiles: Mapping[str, AuthorProfile]) -> tuple[Author, ...]:
    """`build_authors`'s result from its memo and this build's papers and profiles."""
    slugs_, names, affiliations_of = saved["slugs"], saved["names"], saved["affiliations"]
    papers, paper_ends, pairs, pair_ends = (memoryview(saved[column]).cast("i") for column in
                                            ("papers", "paper_ends", "coauthors", "coauthor_ends"))
    if not len(slugs_) == len(names) == len(paper_ends) == len(pair_ends) == len(affiliations_of):
        raise ValueError("a damaged memo")
    slug_of, name_of, paper_of = slugs_.__getitem__, names.__getitem__, ordered.__getitem__
    authors = []
    paper_start = pair_start = 0
    for slug, name, paper_end, pair_end, affiliations in zip(slugs_, names, paper_ends, pair_ends, affiliations_of):
        mine = pairs[pair_start:pair_end]
        authors.append(Author(
            slug=slug, name=name, papers=tuple(map(paper_of, papers[paper_start:paper_end])),
            coauthors=tuple(zip(map(slug_of, mine[::2]), map(name_of, mine[::2]), mine[1::2], strict=True)),
            affiliations=affiliations, profile=profiles.get(slug)))
        paper_start, pair_start = paper_end, pair_end
    return tuple(authors)


def build_tags(ordered: tuple[Paper, ...], topic_names: Mapping[str, str]) -> tuple[Tag, ...]:
    """A tag per arXiv category on any paper and per topic used or defined; categories first,
    then topics, each alphabetical by name, their papers in `arrival_order`. Two tags with one
    slug are an error, never merged."""
    by_category: dict[str, list[Paper]] = defaultdict(list)
    by_topic: dict[str, list[Paper]] = defaultdict(list)
    for paper in arrival_order(ordered):
        for category in paper.categories:
            by_category[category].append(paper)
        for topic in paper.tags:
            by_topic[topic].append(paper)
    for topic in topic_names:
        by_topic.setdefault(topic, [])

    problems: list[Problem] = []
    owner: dict[str, str] = {}  # tag slug -> what claimed it first, for the message
    tags: list[Tag] = []
    for category in sorted(by_category):
        slug = make_slug(category)
        if slug in owner:
            problems.append(_collision(slug, owner[slug], f"arXiv category {category!r}", by_category[category]))
            continue
        owner[slug] = f"arXiv category {category!r}"
        name = ARXIV_CATEGORY_NAMES.get(category, category)
        tags.append(Tag(slug=slug, key=category, name=name, kind="category", papers=tuple(by_category[category])))
    for topic in sorted(by_topic):
        if topic in owner:
            problems.append(_collision(topic, owner[topic], f"topic {topic!r}", by_topic[topic]))
            continue
        owner[topic] = f"topic {topic!r}"
        name = topic_names.get(topic, topic)
        tags.append(Tag(slug=topic, key=topic, name=name, kind="topic", papers=tuple(by_topic[topic])))
    if problems:
        error = ContentError(problems[0].message, problems[0].path)
        error.problems = problems  # one error type, every collision listed
        error.args = (str(error),)
        raise error
    return tuple(sorted(tags, key=lambda t: (t.kind != "category", t.name.casefold(), t.name, t.slug)))


def _collision(slug: str, first: str, second: str, papers: list[Paper]) -> Problem:
    where = papers[0].source_path if papers else None
    hint = "rename the topic (in content/topics.yaml and the papers' tags)" if second.startswith("topic") else "use one spelling"
    return Problem(f"{second} and {first} would both be the tag page /tags/{slug}/; {hint}", where or None)


def build_days(ordered: tuple[Paper, ...]) -> tuple[DigestDay, ...]:
    """One `DigestDay` per day that has papers, newest first, linked to its neighbours."""
    by_day: dict[dt.date, list[Paper]] = {}
    for paper in ordered:
        day = paper.digest_day
        if day is not None:
            by_day.setdefault(day, []).append(paper)
    dates = sorted(by_day, reverse=True)
    return tuple(
        DigestDay(
            date=day,
            papers=tuple(by_day[day]),
            previous=dates[i + 1] if i + 1 < len(dates) else None,
            next=dates[i - 1] if i > 0 else None,
        )
        for i, day in enumerate(dates)
    )


def build_related(ordered: tuple[Paper, ...], limit: int, memo: dict | None = None,
                  jobs: int = 1, meanwhile: Callable[[], object] | None = None) -> dict[str, tuple[Paper, ...]]:
    """For each paper (by slug), up to `limit` others that share authors, topics or categories.

    Score = sum over shared terms of weight / log2(1 + papers carrying the term): rarer terms say
    more. Ties go to the paper nearest in digest order, then the newer. Candidates come from an
    inverted index (term -> papers, in digest order), so the work is the sum over each paper's
    terms of min(postings, POSTINGS_SCAN_LIMIT): linear in the corpus, never all pairs.

    The result depends only on the papers' order and terms: `memo` (a dict kept between builds)
    holds a hash of those and the last result (positions in `ordered`), reused while the hash is
    the same (an edited abstract or title that keeps the order changes nothing here). The hash
    is taken before any other work: at 100,000 papers, reusing the result took 2.0-2.5 s when
    the hash was of the terms the ranking builds, 0.5-0.7 s now (in one process).

    `meanwhile`: the caller's other work, called once in any case; while worker processes rank,
    it runs here at the same time (`parallel.fork_map`). In a cold build at 10,000 papers the
    authors, tags and days took 0.25 s before the ranking's 0.26 s on two cores.
    """
    if limit <= 0:
        if meanwhile is not None:
            meanwhile()
        return {paper.slug: () for paper in ordered}
    key = None
    if memo is not None:
        # Author names, not their slugs, so the key is stricter than the ranking needs (a new
        # spelling ranks again).
        key = memo_module.key(("related", limit, [(p.slug, p.authors, p.tags, p.categories) for p in ordered]))
        reused = memo_module.recall(memo, key, "related", lambda saved: {
            p.slug: tuple([ordered[i] for i in others]) for p, others in zip(ordered, saved, strict=True)})
        if reused is not None:
            if meanwhile is not None:
                meanwhile()
            return reused
    term_ids: dict[str, int] = {}  # "a:<author slug>", "t:<topic>", "c:<category>" -> number
    base_of: list[int] = []  # term number -> weight of sharing it, before rarity
    terms_of: list[list[int]] = []  # per paper, its term numbers
    postings: list[list[int]] = []  # term number -> papers carrying it, ascending (= digest order)
    for index, paper in enumerate(ordered):
        terms: dict[str, int] = {}
        for name in paper.authors:
            terms["a:" + author_slug(name)] = AUTHOR_WEIGHT
        for topic in paper.tags:
            terms["t:" + topic] = TOPIC_WEIGHT
        for category in paper.categories:
            terms["c:" + category] = CATEGORY_WEIGHT
        ids = []
        for term, base in terms.items():
            number = term_ids.get(term)
            if number is None:
                number = term_ids[term] = len(base_of)
                base_of.append(base)
                postings.append([])
            postings[number].append(index)
            ids.append(number)
        terms_of.append(ids)


    weight_of = [base / math.log2(1 + len(docs)) if len(docs) > 1 else 0.0 for base, docs in zip(base_of, postings)]
    ranker = _RelatedRanker(limit, terms_of, postings, weight_of)
    # Ranking is most of the time, and each paper's is independent of the others': on several
    # processes from RELATED_PARALLEL_MIN papers (fewer: forking costs more than it saves).
    workers = jobs if len(ordered) >= RELATED_PARALLEL_MIN else 1
    tasks = ranges(len(ordered), RELATED_CHUNK)
    related: dict[str, tuple[Paper, ...]] = {}
    positions: list[tuple[int, ...]] = []
    for (lo, _hi), ranked in zip(tasks, ordered_map(ranker.rank_range, tasks, workers, meanwhile=meanwhile)):
        for index, others in enumerate(ranked, lo):
            related[ordered[index].slug] = tuple([ordered[other] for other in others])
            positions.append(tuple(others))
    if memo is not None:
        memo["key"] = key
        memo["related"] = positions
    return related


class _RelatedRanker:
    """Ranks papers' related papers from the inverted index (see `build_related`); a worker
    process inherits it by fork."""

    def __init__(self, limit: int, terms_of: list[list[int]], postings: list[list[int]], weight_of: list[float]):
        self.limit, self.terms_of, self.postings, self.weight_of = limit, terms_of, postings, weight_of

    def rank_range(self, bounds: tuple[int, int]) -> list[list[int]]:
        """The related papers (as positions) of the papers at positions lo..hi-1."""
        limit, terms_of, postings, weight_of = self.limit, self.terms_of, self.postings, self.weight_of
        half, scan = POSTINGS_SCAN_LIMIT // 2, POSTINGS_SCAN_LIMIT
        by_score = operator.itemgetter(1)
        left = bisect.bisect_left
        out: list[list[int]] = []
        for index in range(*bounds):
            scores: dict[int, float] = {}
            get = scores.get
            for term in terms_of[index]:
                docs = postings[term]
                size = len(docs)
                if size < 2:
                    continue  # only this paper carries it
                weight = weight_of[term]
                if size > scan:
                    start = min(max(0, left(docs, index) - half), size - scan - 1)
                    docs = docs[start : start + scan + 1]  # the window plus this paper
                for other in docs:
                    scores[other] = get(other, 0.0) + weight
            scores.pop(index, None)
            # Rank by score with a C sort, keep what can make the top `limit` (ties at the cut
            # included), then order those by score, nearness in digest order, digest order.
            if len(scores) > limit:
                ranked = sorted(scores.items(), key=by_score, reverse=True)
                threshold = ranked[limit - 1][1]
                cut = limit
                while cut < len(ranked) and ranked[cut][1] >= threshold:
                    cut += 1
                ranked = ranked[:cut]
            else:
                ranked = scores.items()
            best = sorted([(-score, abs(other - index), other) for other, score in ranked])[:limit]
            out.append([other for _, _, other in best])
        return out
