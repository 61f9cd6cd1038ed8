"""content.py / frontmatter.py: loading content files into the model, and every way they can be wrong."""

from __future__ import annotations

import datetime as dt
import html
import random
import shutil
from pathlib import Path

import pytest

from site_builder import content
from site_builder.content import load_content, load_papers
from site_builder.errors import ProblemList, SiteBuilderError
from site_builder.profiles import load_profiles, load_topic_names

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "content"


def fake_render(title: str, body: str) -> tuple[str, str]:
    """A stand-in for site_builder.markup: escapes, and marks the output so tests can see it ran."""
    return "T:" + html.escape(title), "<p>" + html.escape(body) + "</p>"


def write_paper(content_dir: Path, name: str, text: str) -> Path:
    path = content_dir / "papers" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(content_dir: Path) -> list[str]:
    with pytest.raises(ProblemList) as info:
        load_papers(content_dir, render=fake_render)
    return [str(p) for p in info.value.problems]


# --- the fixture site ----------------------------------------------------------------------


def test_fixture_loads_every_paper_with_its_fields():
    papers = {p.slug: p for p in load_papers(FIXTURE, render=fake_render)}
    assert len(papers) == 8
    bilevel = papers["stochastic-bilevel-optimization-without-lower-level-convexity"]
    assert bilevel.authors == ("Cong Fang", "Yihong Gu", "Tong Zhang", "Ekin Akyurek")
    assert bilevel.author_count == 4 and bilevel.authors_complete
    assert bilevel.date == dt.date(2025, 5, 20) and bilevel.added == dt.date(2025, 5, 25)
    assert bilevel.categories == ("math.OC", "cs.LG")
    assert bilevel.tags == ("bilevel", "optimization")
    assert bilevel.code is True and bilevel.upvotes == 12 and bilevel.organization == "Princeton University"
    assert bilevel.affiliations == ("princeton", "hkust")
    assert bilevel.sources == ("004_ed8c7cc6d311300a.txt",)
    assert bilevel.body.startswith("We study stochastic bilevel problems $\\min_x f(x, y^*(x))$")
    assert bilevel.abstract_html == "<p>" + html.escape(bilevel.body) + "</p>"
    assert bilevel.title_html == "T:Stochastic Bilevel Optimization without Lower-Level Convexity"
    assert bilevel.source_path == str(FIXTURE / "papers" / "stochastic-bilevel-optimization-without-lower-level-convexity.md")

    one_step = papers["one-step-of-gradient-descent-is-provably-the-optimal-in-context-learner"]
    assert one_step.authors == () and one_step.author_count == 3 and one_step.missing_authors == 3
    assert not one_step.authors_complete

    undated = papers["critical-points-of-deep-linear-networks"]
    assert undated.date is None and undated.digest_day == dt.date(2025, 5, 25)


def test_a_file_with_only_a_title_gets_every_default(tmp_path):
    write_paper(tmp_path, "notes-on-min-max-optimization.md", "---\ntitle: Notes on Min-Max Optimization\n---\n")
    (paper,) = load_papers(tmp_path, render=fake_render)
    assert paper.slug == "notes-on-min-max-optimization"
    assert paper.title == "Notes on Min-Max Optimization"
    assert paper.body == ""
    assert (paper.authors, paper.affiliations, paper.categories, paper.tags, paper.sources) == ((),) * 5
    assert paper.authors_complete is True and paper.author_count is None
    assert paper.date is None and paper.added is None and paper.digest_day is None
    assert paper.code is False and paper.upvotes is None and paper.organization is None


def test_authors_complete_default_follows_the_stated_total(tmp_path):
    write_paper(tmp_path, "a.md", "---\ntitle: A\nauthors: [X, Y]\nauthor_count: 5\n---\n")
    write_paper(tmp_path, "b.md", "---\ntitle: B\nauthors: [X, Y]\nauthor_count: 2\n---\n")
    # Empty values (YAML null) mean "the default", for every optional field.
    write_paper(tmp_path, "c.md", "---\ntitle: C\nauthors:\nauthors_complete:\nauthor_count: 4\ncode:\nupvotes:\n---\n")
    a, b, c = load_papers(tmp_path, render=fake_render)
    assert a.authors_complete is False and a.missing_authors == 3
    assert b.authors_complete is True
    assert c.authors == () and c.authors_complete is False and c.code is False and c.upvotes is None


def test_dates_quoted_or_not_lists_deduplicated_and_extra_ignored(tmp_path):
    write_paper(
        tmp_path,
        "x.md",
        "---\ntitle: X\ndate: '2024-02-29'\nadded: 2024-03-01\ncategories: [cs.LG, math.OC, cs.LG]\n"
        "tags: [optimization, optimization]\nauthors: [Ann Lee, Ann Lee]\nextra: {note: checked by hand}\n---\n\nBody.\n\n",
    )
    (paper,) = load_papers(tmp_path, render=fake_render)
    assert paper.date == dt.date(2024, 2, 29) and paper.added == dt.date(2024, 3, 1)
    assert paper.categories == ("cs.LG", "math.OC") and paper.tags == ("optimization",)
    assert paper.authors == ("Ann Lee", "Ann Lee")  # two people may share a name: kept as written
    assert paper.body == "Body."


def test_dotfiles_and_other_extensions_are_ignored_and_order_is_by_slug(tmp_path):
    write_paper(tmp_path, "b.md", "---\ntitle: B\n---\n")
    write_paper(tmp_path, "a.md", "---\ntitle: A\n---\n")
    write_paper(tmp_path, ".draft.md", "not front matter at all")
    write_paper(tmp_path, "notes.txt", "not front matter at all")
    write_paper(tmp_path, "a.md~", "editor backup")
    assert [p.slug for p in load_papers(tmp_path, render=fake_render)] == ["a", "b"]


def test_missing_papers_folder_gives_no_papers(tmp_path):
    assert load_papers(tmp_path, render=fake_render) == ()


def test_crlf_and_bom_are_accepted(tmp_path):
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "w.md").write_bytes("\ufeff---\r\ntitle: Windows\r\ndate: 2024-01-02\r\n---\r\n\r\nBody\r\n".encode())
    (paper,) = load_papers(tmp_path, render=fake_render)
    assert paper.title == "Windows" and paper.date == dt.date(2024, 1, 2) and paper.body == "Body"


# --- bad front matter: one message per problem, naming file and line --------------------------

BAD_FIELDS = [
    # (front matter lines after '---', line of the problem in the file, expected message)
    ("title: X\ndate: May 3", 3, "field 'date' must be a date YYYY-MM-DD or null, got 'May 3'"),
    ("title: X\nadded: 2025-02-30", 3, "field 'added' must be a date YYYY-MM-DD, got '2025-02-30' (no such day)"),
    ("title: X\ndate: 2025-05-03 10:00:00", 3, "field 'date' must be a date YYYY-MM-DD or null, got '2025-05-03 10:00:00'"),
    ("title: X\nauthors: Ann Lee", 3, "field 'authors' must be a list of names, got 'Ann Lee'"),
    ("title: X\nauthors:\n- Ann\n- 42", 3, "field 'authors' must be a list of names, got item 42"),
    ("title: X\nauthors_complete: maybe", 3, "field 'authors_complete' must be true or false, got 'maybe'"),
    ("title: X\nauthor_count: -1", 3, "field 'author_count' must be a whole number (0 or more) or null, got -1"),
    ("title: X\nauthor_count: three", 3, "field 'author_count' must be a whole number (0 or more) or null, got 'three'"),
    ("title: X\nauthors: [A, B, C]\nauthor_count: 2", 4, "field 'author_count' is 2 but 3 authors are listed"),
    ("title: X\naffiliations: princeton", 3, "field 'affiliations' must be a list of text, got 'princeton'"),
    ("title: X\ncategories: cs.LG", 3, "field 'categories' must be a list of arXiv category ids (e.g. cs.LG), got 'cs.LG'"),
    ("title: X\ntags: [Min Max]", 3, "field 'tags' must list topic slugs (lowercase ASCII letters, digits and single hyphens), got 'Min Max'"),
    ("title: X\ncode: yes please", 3, "field 'code' must be true or false, got 'yes please'"),
    ("title: X\nupvotes: 1.5", 3, "field 'upvotes' must be a whole number (0 or more) or null, got 1.5"),
    ("title: X\nupvotes: true", 3, "field 'upvotes' must be a whole number (0 or more) or null, got True"),
    ("title: X\norganization: [a, b]", 3, "field 'organization' must be non-empty text (quote it if YAML reads it as a number or true/false), got ['a', 'b']"),
    ("title: X\nsources: {a: 1}", 3, "field 'sources' must be a list of file names, got {'a': 1}"),
    ("title: X\nextra: note", 3, "field 'extra' must be a mapping (key: value) of your own notes, got 'note'"),
    ("title: 1984", 2, "field 'title' must be non-empty text (quote it if YAML reads it as a number or true/false), got 1984"),
    ("title: ''", 2, "field 'title' must be non-empty text (quote it if YAML reads it as a number or true/false), got ''"),
    ("authors: [A]", 1, "missing required field 'title' (the paper's title)"),
    ("title: X\ncatgories: [cs.LG]", 3, "unknown field 'catgories'; did you mean 'categories'?"),
    ("title: X\nslug: other-name", 3, "field 'slug' is 'other-name' but the file is paper.md: they must agree (leave 'slug' out to use the file name)"),
    ("title: X\n  bad: indent", 3, "invalid YAML in front matter: mapping values are not allowed"),
    ("title: X\ndate: !!timestamp nope", 1, "invalid YAML in front matter:"),
    ("- just\n- a list", 2, "front matter must be YAML fields (key: value), at least 'title: ...'"),
]


@pytest.mark.parametrize(("front", "line", "message"), BAD_FIELDS, ids=[case[2][:40] for case in BAD_FIELDS])
def test_each_bad_field_is_reported_with_file_and_line(tmp_path, front, line, message):
    path = write_paper(tmp_path, "paper.md", f"---\n{front}\n---\n\nAbstract.\n")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{path}:{line}: {message}"), problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: X\n\nNo front matter.\n", "expected front matter: the file must start with a line '---'"),
        ("", "expected front matter: the file must start with a line '---'"),
        ("---\ntitle: X\n\nAbstract, but the front matter never closes.\n", "front matter is not closed"),
        ("---", "front matter is not closed"),
        ("---\ntitle: X\n----\n", "front matter is not closed"),
    ],
)
def test_missing_or_unterminated_front_matter_is_reported_at_line_1(tmp_path, text, message):
    path = write_paper(tmp_path, "paper.md", text)
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{path}:1: {message}"), problem


def test_a_file_name_that_is_not_a_slug_is_an_error(tmp_path):
    path = write_paper(tmp_path, "My Paper.md", "---\ntitle: X\n---\n")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{path}:1: file name 'My Paper.md' is not a valid slug"), problem


def test_non_utf8_file_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "papers" / "latin1.md"
    path.parent.mkdir()
    path.write_bytes(b"---\ntitle: X\nauthors: [Andr\xe9]\n---\n")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{path}:3: not UTF-8 text (byte 0xe9)"), problem


def test_all_problems_of_all_files_are_reported_at_once(tmp_path):
    a = write_paper(tmp_path, "a.md", "---\ntitle: A\ndate: yesterday\ncode: 1\n---\n")
    b = write_paper(tmp_path, "b.md", "no front matter\n")
    write_paper(tmp_path, "c.md", "---\ntitle: Fine\n---\n")
    d = write_paper(tmp_path, "d.md", "---\ntitle: D\nslug: e\nupvotes: many\n---\n")
    problems = problems_of(tmp_path)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{a}:3", f"{a}:4", f"{b}:1", f"{d}:3", f"{d}:4"]
    assert "field 'code' must be true or false, got 1" in problems[1]


def test_problem_list_is_a_user_error_with_one_line_per_problem(tmp_path):
    write_paper(tmp_path, "a.md", "---\ntitle: A\ndate: yesterday\n---\n")
    write_paper(tmp_path, "b.md", "---\nauthors: []\n---\n")
    with pytest.raises(SiteBuilderError) as info:
        load_papers(tmp_path, render=fake_render)
    assert len(str(info.value).splitlines()) == 2


# --- rendering and its cache ----------------------------------------------------------------


class CountingRender:
    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, title: str, body: str) -> tuple[str, str]:
        self.calls.append(title)
        return fake_render(title, body)


def test_render_cache_renders_each_paper_once(tmp_path):
    write_paper(tmp_path, "a.md", "---\ntitle: A\n---\n\nSame body\n")
    write_paper(tmp_path, "b.md", "---\ntitle: B\n---\n\nSame body\n")
    render = CountingRender()
    cache: dict = {}
    first = load_papers(tmp_path, render=render, cache=cache)
    assert sorted(render.calls) == ["A", "B"] and len(cache) == 2
    again = load_papers(tmp_path, render=render, cache=cache)
    assert sorted(render.calls) == ["A", "B"]  # nothing re-rendered
    assert again == first
    write_paper(tmp_path, "b.md", "---\ntitle: B\n---\n\nEdited body\n")
    edited = load_papers(tmp_path, render=render, cache=cache)
    assert sorted(render.calls) == ["A", "B", "B"]
    assert edited[1].abstract_html == "<p>Edited body</p>"


def test_render_cache_on_disk_survives_between_runs_and_is_pruned(tmp_path):
    content_dir, cache_dir = tmp_path / "content", tmp_path / "cache"
    write_paper(content_dir, "a.md", "---\ntitle: A\n---\n\nBody A\n")
    write_paper(content_dir, "b.md", "---\ntitle: B\n---\n\nBody B\n")
    render = CountingRender()
    load_papers(content_dir, render=render, cache_dir=cache_dir)
    assert (cache_dir / content.CACHE_FILE_NAME).is_file()
    (content_dir / "papers" / "b.md").unlink()
    papers = load_papers(content_dir, render=render, cache_dir=cache_dir)  # a fresh process, in effect
    assert sorted(render.calls) == ["A", "B"] and papers[0].abstract_html == "<p>Body A</p>"
    assert list(content._read_cache_file(cache_dir)) == [content._cache_key(content._renderer_id(render), "A", "Body A")]


def test_corrupt_cache_file_is_ignored(tmp_path):
    write_paper(tmp_path / "content", "a.md", "---\ntitle: A\n---\n")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / content.CACHE_FILE_NAME).write_bytes(b"not a pickle")
    (paper,) = load_papers(tmp_path / "content", render=fake_render, cache_dir=tmp_path / "cache")
    assert paper.title_html == "T:A"


def test_a_different_renderer_does_not_reuse_cached_html(tmp_path):
    write_paper(tmp_path, "a.md", "---\ntitle: A\n---\n")
    cache: dict = {}
    load_papers(tmp_path, render=fake_render, cache=cache)
    (paper,) = load_papers(tmp_path, render=lambda t, b: ("other", "other"), cache=cache)
    assert paper.title_html == "other"


def test_parallel_loading_gives_the_same_papers_and_problems(tmp_path, monkeypatch):
    for i in range(12):
        write_paper(tmp_path, f"p{i:02d}.md", f"---\ntitle: Paper {i}\ndate: 2024-01-{i + 1:02d}\n---\n\nAbstract {i}\n")
    serial = load_papers(tmp_path, render=fake_render, jobs=1)
    monkeypatch.setattr(content, "PARALLEL_MIN_RENDERS", 1)
    monkeypatch.setattr(content, "_CHUNK_SIZE", 5)
    assert load_papers(tmp_path, render=fake_render, jobs=2) == serial
    # A renderer that cannot be sent to a worker (a lambda) renders in this process instead.
    assert load_papers(tmp_path, render=lambda t, b: fake_render(t, b), jobs=2, cache={}) == serial
    write_paper(tmp_path, "p03.md", "---\ntitle: Bad\ndate: soon\n---\n")
    write_paper(tmp_path, "p11.md", "---\n---\n")
    with pytest.raises(ProblemList) as info:
        load_papers(tmp_path, render=fake_render, jobs=2)
    assert [p.path.rsplit("/", 1)[1] for p in info.value.problems] == ["p03.md", "p11.md"]


def test_default_renderer_is_site_builder_markup(tmp_path):
    markup = pytest.importorskip("site_builder.markup")
    write_paper(tmp_path, "m.md", "---\ntitle: 'Bounds for $x^2$ & <b>'\n---\n\nWe show $a < b$.\n")
    (paper,) = load_papers(tmp_path)
    assert paper.title_html == markup.render_title_html("Bounds for $x^2$ & <b>")
    assert paper.abstract_html == markup.render_abstract_html("We show $a < b$.")
    assert "<b>" not in paper.title_html


# --- author profiles and topics ------------------------------------------------------------


def test_fixture_profile_and_topics():
    profiles = load_profiles(FIXTURE)
    assert list(profiles) == ["cong-fang"]
    cong = profiles["cong-fang"]
    assert (cong.name, cong.primary_category, cong.h_index, cong.papers, cong.citations) == ("Cong Fang", "cs.LG", 19, 41, 1609)
    assert (cong.novelty, cong.ai_score, cong.source) == (62, 61, "000_043ef1eb0ec81c75.txt")
    assert cong.captured == dt.date(2025, 5, 25)
    topics = load_topic_names(FIXTURE)
    assert topics["llms"] == "Large Language Models" and topics["min-max"] == "Min-Max Optimization"
    assert list(topics) == sorted(topics)


def write_profile(content_dir: Path, name: str, text: str) -> Path:
    path = content_dir / "authors" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_profiles_are_all_reported(tmp_path):
    a = write_profile(tmp_path, "ann-lee.yaml", "name: Ann Lee\nh_index: high\nfavourite: tea\n")
    b = write_profile(tmp_path, "bob.yaml", "name: Bob Stone\n")
    c = write_profile(tmp_path, "carl.yaml", "h_index: 3\n")
    with pytest.raises(ProblemList) as info:
        load_profiles(tmp_path)
    problems = [str(p) for p in info.value.problems]
    assert problems[0] == f"{a}:2: field 'h_index' must be a whole number (0 or more) or null, got 'high'"
    assert problems[1].startswith(f"{a}:3: unknown field 'favourite'")
    assert problems[2].startswith(f"{b}:1: the file of 'Bob Stone' must be named bob-stone.yaml")
    assert problems[3].startswith(f"{c}:1: missing required field 'name'")


def test_a_misspelt_profile_field_gets_the_closest_known_one(tmp_path):
    path = write_profile(tmp_path, "ann-lee.yaml", "name: Ann Lee\nh-index: 12\ncolour: blue\n")
    with pytest.raises(ProblemList) as info:
        load_profiles(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2: unknown field 'h-index'; did you mean 'h_index'?",
        f"{path}:3: unknown field 'colour' (known fields: name, primary_category, h_index, papers, citations, "
        "novelty, ai_score, source, captured)",
    ]


def test_missing_topics_file_gives_no_names(tmp_path):
    assert load_topic_names(tmp_path) == {}


def test_topics_may_be_wrapped_and_name_defaults_to_slug(tmp_path):
    (tmp_path / "topics.yaml").write_text("topics:\n- slug: rl\n  keywords: [reinforcement]\n- {slug: mcmc, name: Sampling and MCMC}\n")
    assert load_topic_names(tmp_path) == {"mcmc": "Sampling and MCMC", "rl": "rl"}


def test_bad_topics_name_the_line(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text("- slug: rl\n  name: RL\n- slug: Bad Slug\n- slug: rl\n  name: Again\n")
    with pytest.raises(ProblemList) as info:
        load_topic_names(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3: each topic needs a 'slug' (lowercase ASCII letters, digits and single hyphens), got 'Bad Slug'",
        f"{path}:4: topic 'rl' is defined twice",
    ]


def test_load_content_reports_papers_profiles_and_topics_together(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "content")
    root = tmp_path / "content"
    write_paper(root, "broken.md", "---\ntitle: Broken\ndate: someday\n---\n")
    write_profile(root, "cong-fang.yaml", "name: Cong Fang\nh_index: -3\n")
    (root / "topics.yaml").write_text("- slug: x\n  name: X\n- name: no slug\n")
    with pytest.raises(ProblemList) as info:
        load_content(root, render=fake_render)
    assert [Path(p.path).name for p in info.value.problems] == ["broken.md", "cong-fang.yaml", "topics.yaml"]


def test_load_content_of_the_fixture():
    loaded = load_content(FIXTURE, render=fake_render)
    assert len(loaded.papers) == 8 and set(loaded.profiles) == {"cong-fang"} and "optimization" in loaded.topic_names


# --- the fast path for simple front matter must read exactly what YAML reads ----------------

TRICKY_SCALARS = [
    "Plain title", "yes", "No", "ON", "off", "true", "True", "false", "null", "Null", "~", "0", "12", "0123",
    "-1", "+1", "1_000", "1:20", "0x1F", "1e3", ".5", "3.0", ".inf", "2024-01-02", "2024-01-02 10:00:00",
    "<<", "=", "x:", "a: b", "a #b", "a#b", "a:b", "'it''s'", "'bad'quote'", "'unclosed", "''", "' padded '",
    '"double"', '"esc\\n"', '"a"b"', "[]", "[a, b]", "{}", "&anchor x", "*alias", "!!str 12", "%x", "@x",
    "`x", "café au lait", "$x^2$ & <b>", "a\tb", "trail   ", "#comment", "- nested", "?x", "|", ">",
    "Title: With a Colon", "C++ in 2024", "50% off", "a , b", "\u00a0nbsp", "emoji \U0001F600",
]
FIELD_KEYS = ["title", "slug", "authors", "date", "tags", "upvotes", "code", "unknown", "null", "yes", "Title"]


def both_readings(front: str):
    from site_builder.frontmatter import FrontMatterLoader, simple_front_matter
    import yaml

    fast = simple_front_matter(front)
    try:
        slow = yaml.load(front, Loader=FrontMatterLoader)
    except Exception as exc:  # noqa: BLE001 - any failure of YAML must be a fallback of the fast path
        slow = exc
    return fast, slow


@pytest.mark.parametrize("scalar", TRICKY_SCALARS)
def test_simple_reader_agrees_with_yaml_on_each_scalar(scalar):
    for front in (f"title: {scalar}\n", f"authors:\n- {scalar}\n- B\n", f"tags:\n  - {scalar}\n"):
        fast, slow = both_readings(front)
        if fast is not None:
            assert not isinstance(slow, Exception), (front, slow)
            assert repr(fast) == repr(slow), front  # repr: True and 1 must not count as equal


def test_simple_reader_agrees_with_yaml_on_random_front_matter():
    rng = random.Random(2024)
    accepted = 0
    for _ in range(3000):
        lines = []
        for _ in range(rng.randint(1, 6)):
            key = rng.choice(FIELD_KEYS)
            shape = rng.random()
            if shape < 0.5:
                lines.append(f"{key}: {rng.choice(TRICKY_SCALARS)}")
            else:
                lines.append(f"{key}:")
                indent = rng.choice(["", "  ", " "])
                for _ in range(rng.randint(0, 3)):
                    lines.append(f"{rng.choice([indent, indent, '    '])}- {rng.choice(TRICKY_SCALARS)}")
            if rng.random() < 0.1:
                lines.append("")
        front = "\n".join(lines) + "\n"
        fast, slow = both_readings(front)
        if fast is not None:
            accepted += 1
            assert not isinstance(slow, Exception), (front, slow)
            assert repr(fast) == repr(slow), front
    assert accepted > 100  # the fast path is really taken, not always declined


def test_fixture_files_take_the_fast_path():
    from site_builder.frontmatter import simple_front_matter, split_front_matter

    for path in sorted((FIXTURE / "papers").glob("*.md")):
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        assert simple_front_matter(front) is not None, path.name


@pytest.mark.parametrize("listed_size", [0, 5, 11, 12, 13, 70_000])
def test_a_paper_file_is_read_whole_whatever_size_it_was_listed_with(tmp_path, listed_size):
    # The loader reads a file with the size its listing gave; a file that grew or shrank
    # since must still be read whole.
    path = tmp_path / "a.md"
    path.write_bytes(b"hello world\n")
    assert content.read_bytes(str(path), listed_size) == b"hello world\n"
    big = b"x" * 200_000
    path.write_bytes(big)
    assert content.read_bytes(str(path), listed_size) == big
    path.write_bytes(b"")
    assert content.read_bytes(str(path), listed_size) == b""
    with pytest.raises(FileNotFoundError):
        content.read_bytes(str(tmp_path / "gone.md"), listed_size)


# --- the store of rows the build cache keeps -----------------------------------------------------

def _paper_text(n: int) -> str:
    return f"---\ntitle: Paper {n}\ndate: 2024-01-{n % 28 + 1:02d}\n---\n\nAbstract {n}.\n"


def test_the_store_saves_each_shard_as_soon_as_its_files_are_read(tmp_path):
    for n in range(600):  # several chunks of files to read
        write_paper(tmp_path, f"paper-{n:03d}.md", _paper_text(n))
    rendered: list[str] = []

    def render(title: str, body: str) -> tuple[str, str]:
        rendered.append(title)
        return fake_render(title, body)

    disk: dict[int, dict] = {}  # what a build cache would hold
    saved_after: list[int] = []  # files rendered when each shard was saved

    def save(shard: int, data: dict) -> None:
        disk[shard] = data
        saved_after.append(len(rendered))

    def stored() -> content.PaperStore:
        store = content.PaperStore.from_shards(disk[n] for n in sorted(disk))
        store.save = save
        return store

    store = content.PaperStore(save=save)
    load_content(tmp_path, render=render, jobs=1, store=store)
    shards = {content.store_shard(f"paper-{n:03d}.md") for n in range(600)}
    assert disk.keys() == shards == store.saved and len(saved_after) == len(shards)  # each once
    assert saved_after[0] < 600  # the first shard was saved while files were still to read
    assert disk == store.shards(shards)  # what saving them all after the load would have saved

    # A bad file is left out of its shard (the next load reads it again); the other rows stay.
    bad = content.store_shard("paper-007.md")
    neighbours = set(disk[bad]["rows"]) - {"paper-007.md"}
    write_paper(tmp_path, "paper-007.md", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(ProblemList):
        load_content(tmp_path, render=render, jobs=1, store=stored())
    assert set(disk[bad]["rows"]) == neighbours
    write_paper(tmp_path, "paper-007.md", _paper_text(7))
    before = len(rendered)
    load_content(tmp_path, render=render, jobs=1, store=stored())
    assert rendered[before:] == ["Paper 7"]  # the others' rows were reused
