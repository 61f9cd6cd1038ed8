"""The theme's Jinja2 environment: the `render_each` filter and the faster output escaping give
exactly what plain Jinja2 gives."""

from __future__ import annotations

from pathlib import Path

import jinja2
import markupsafe
import pytest
from markupsafe import Markup

from site_builder.theme import fast_escape, make_environment


class _Html:
    def __html__(self) -> str:
        return "<i>safe</i>"


class _Text:
    def __str__(self) -> str:
        return "a < b"


class _MarkupKind(Markup):
    pass


@pytest.mark.parametrize("value", [
    "", "plain", "<b>Tom & Jerry</b> \"quoted\" 'single'", "naïve – ∑ 数学",
    Markup("<em>already</em>"), _MarkupKind("<em>sub</em>"), 0, 7, -12, 10**30, 3.5, None, True, False,
    _Html(), _Text(),
])
def test_escape_gives_what_markupsafe_gives(value: object) -> None:
    ours, theirs = fast_escape(value), markupsafe.escape(value)
    assert ours == theirs
    assert isinstance(ours, Markup)


def _env(tmp_path: Path, templates: dict[str, str]) -> jinja2.Environment:
    theme = tmp_path / "theme"
    for name, source in templates.items():
        path = theme / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return make_environment([theme])


def test_templates_escape_output_with_the_fast_escape(tmp_path: Path) -> None:
    env = _env(tmp_path, {"page.html": "{{ text }}|{{ html }}|{{ number }}\n"})
    template = env.get_template("page.html")
    assert template.root_render_func.__globals__["escape"] is fast_escape
    assert template.render(text="<script>x & y</script>", html=Markup("<b>ok</b>"), number=7) == (
        "&lt;script&gt;x &amp; y&lt;/script&gt;|<b>ok</b>|7\n"
    )


CARD_MACRO = """{% macro card(item, level=2, loud=false) %}
<h{{ level }}>{{ item }}{% if loud %}!{% endif %}</h{{ level }}>
{%- endmacro %}"""


@pytest.mark.parametrize("items", [["a"], ["<x>", "b & c", "d"], []])
def test_render_each_writes_what_a_loop_writes(tmp_path: Path, items: list[str]) -> None:
    env = _env(tmp_path, {
        "macros.html": CARD_MACRO,
        "loop.html": '{% from "macros.html" import card %}'
                     "{% for item in items %}\n{{ card(item, 3, loud=true) }}\n{% endfor %}",
        "each.html": '{% from "macros.html" import card %}'
                     "{% if items %}\n{{ items|render_each(card, 3, loud=true) }}\n{% endif %}",
    })
    loop = env.get_template("loop.html").render(items=items)
    assert env.get_template("each.html").render(items=items) == loop
    assert loop.count("<h3>") == len(items)
    if "<x>" in items:
        assert "<h3>&lt;x&gt;!</h3>\n<h3>b &amp; c!</h3>" in loop


def test_render_each_escapes_results_that_are_not_markup(tmp_path: Path) -> None:
    env = _env(tmp_path, {"page.html": "{{ items|render_each(shout) }}"})
    out = env.get_template("page.html").render(items=["<a>", "b"], shout=lambda item: item.upper())
    assert out == "&lt;A&gt;\nB"


def test_render_each_leaves_text_templates_unescaped(tmp_path: Path) -> None:
    env = _env(tmp_path, {"page.txt": "{{ items|render_each(shout) }}"})
    out = env.get_template("page.txt").render(items=["<a>", "b"], shout=lambda item: item.upper())
    assert out == "<A>\nB"


def test_a_template_is_looked_up_once_and_then_kept(tmp_path: Path) -> None:
    env = _env(tmp_path, {
        "base.html": "<main>{% block body %}{% endblock %}</main>",
        "page.html": '{% extends "base.html" %}{% block body %}{{ text }}{% endblock %}',
    })
    page = env.get_template("page.html")
    assert page.render(text="<x>") == "<main>&lt;x&gt;</main>"
    base = env.get_template("base.html")
    env.cache.clear()  # Jinja's own cache: without ours, the next asks would load new templates
    assert env.get_template("page.html") is page
    assert env.get_template("base.html", parent="page.html") is base
    assert page.render(text="y") == "<main>y</main>"
    # Asked with globals, a template goes through Jinja's lookup as before (it updates them).
    assert env.get_template("page.html", globals={"g": 1}).globals["g"] == 1
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("missing.html")
