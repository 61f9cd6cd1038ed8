"""Finding the theme folders and compiling their Jinja2 templates, with what makes them fast:
escaping without MarkupSafe's Python-level checks, the `render_each` filter, and results made
once per process (`partial_cached` for the header and footer, memoized card macros).

A theme folder holds `templates/` (Jinja2) and `static/` (copied to `public/static/`). The site
can name its own theme in `site.yaml` (`theme: mytheme`, relative to the site root, the folder
holding `content/`); any template or static file it has overrides the default theme's.

Where the default theme comes from, first match wins:
1. `<site root>/themes/default` - the site's own copy (this repository's `themes/default`);
2. `themes/default` next to the package - a source checkout or an editable install;
3. `<prefix>/share/site_builder/themes/default` - where `pip install .` puts the copy declared
   as data files in pyproject.toml, so an installed package works with any site folder.
"""

from __future__ import annotations

import functools
import sys
import sysconfig
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup

from site_builder.config import SiteConfig
from site_builder.errors import BuildError, ContentError

DEFAULT_THEME = Path("themes") / "default"
_SHARE_THEME = Path("share") / "site_builder" / "themes" / "default"


def default_theme_dir(site_root: Path) -> Path:
    """The default theme folder (see the module docstring for the search order)."""
    candidates = [
        site_root / DEFAULT_THEME,
        Path(__file__).resolve().parent.parent / DEFAULT_THEME,
        Path(sysconfig.get_path("data")) / _SHARE_THEME,
        Path(sys.prefix) / _SHARE_THEME,
    ]
    for candidate in candidates:
        if (candidate / "templates").is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise BuildError(f"the default theme is missing (looked in: {tried})")


def theme_dirs(content_dir: Path, config: SiteConfig) -> tuple[Path, ...]:
    """Theme folders, the site's own theme (if any) first, so its files win."""
    site_root = content_dir.resolve().parent
    dirs: list[Path] = []
    if config.theme:
        own = (site_root / config.theme).resolve()
        if not own.is_dir():
            raise ContentError(
                f"setting 'theme' names {config.theme!r}, but there is no folder {own}",
                content_dir / "site.yaml",
            )
        dirs.append(own)
    default = default_theme_dir(site_root).resolve()
    if default not in dirs:
        dirs.append(default)
    return tuple(dirs)


def make_environment(dirs: Sequence[Path], compiled: Path | None = None) -> jinja2.Environment:
    """One Jinja2 environment over the theme folders: compile it once per process and reuse it.
    `compiled`: a folder where compiled templates are kept for the next build (Jinja2's bytecode
    cache, checked against each template's source): a rebuild then loads the theme's 19
    templates in 6 ms instead of compiling them in 90 (`cache.BuildCache.compiled_templates`).

    Autoescaping is on for .html and .xml templates, so everything user-supplied is escaped
    unless a view marked it safe (pre-rendered title/abstract HTML, JSON-LD). StrictUndefined
    turns a template's typo into an error instead of an empty string on the page.
    """
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(d / "templates")) for d in dirs if (d / "templates").is_dir()]
    )
    env = _Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Each build makes its own environment, so a template edited while `serve` runs is seen
        # by the next build; within a build, checking every template's mtime on each use is waste.
        auto_reload=False,
    )
    env.filters["render_each"] = render_each
    if compiled is not None:
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
    return env


_escape_inner = getattr(markupsafe, "_escape_inner", None)  # MarkupSafe >= 2.1's C escaping of a str
_new_str = str.__new__


def fast_escape(value: object) -> Markup:
    """`markupsafe.escape`, with the same results, made for the two cases of nearly every call
    in a page: a plain string (escaped without `Markup.__new__`'s Python-level checks) and
    markup already (returned as it is: markup is immutable, so no copy is needed). A page makes
    about 80 escapes; this halves their cost. Whole numbers (about 9 a page: counts, heading
    levels) skip MarkupSafe's Python-level checks too."""
    kind = type(value)
    if kind is str and _escape_inner is not None:
        return _new_str(Markup, _escape_inner(value))
    if kind is Markup:
        return value  # type: ignore[return-value]
    if kind is int:  # counts, heading levels, page numbers: digits and "-" need no escaping
        return _new_str(Markup, int.__repr__(value))
    return markupsafe.escape(value)


class FastEscapeTemplate(jinja2.Template):
    """A template whose compiled code escapes its output with `fast_escape`. Jinja's compiled
    templates look `escape` up in their module's namespace on every call; only that name is
    replaced, and only if it is MarkupSafe's function (autoescaping itself is unchanged)."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # noqa: ANN001, ANN206, A002
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = fast_escape
        return template


class _Environment(jinja2.Environment):
    template_class = FastEscapeTemplate

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[str, jinja2.Template] = {}

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:  # noqa: A002 (Jinja's name)
        """Jinja's lookup, with each template found once kept in a plain dict. A page asks for
        its template, its layout and each partial it imports by name, and every ask went through
        Jinja's LRU cache (a lock, a key tuple with a weak reference to the loader): ~2% of a
        cold build. The same template comes back either way, since templates are never
        reloaded within an environment (`auto_reload=False`, see `make_environment`)."""
        if globals is None and type(name) is str and not self.auto_reload:
            if parent is not None:
                name = self.join_path(name, parent)
            found = self._loaded.get(name)
            if found is None:
                found = self._loaded[name] = super().get_template(name)
            return found
        return super().get_template(name, parent, globals)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as a plain dict, not Jinja's ChainMap over the environment's:
        every `{% from ... import %}` of a render compares the two templates' global names, and
        on ChainMap key views that is a Python-level set operation (10 us an import). The cost:
        globals added to the environment after a template is loaded are not seen by it, which
        Jinja's documentation already says not to do (`Renderer` adds its globals first)."""
        return {**self.globals, **(d or {})}


@jinja2.pass_eval_context
def render_each(eval_ctx: jinja2.nodes.EvalContext, items: Iterable[object], macro: Callable[..., object],
                *args: object, **kwargs: object) -> str:
    """The filter `items|render_each(macro, ...)`: `macro(item, ...)` for every item, one per
    line, as `{% for item in items %}{{ macro(item, ...) }}` would write them (but for the last
    newline, which the template writes). A list of 50 cards costs a template call and an escape
    per card in a loop, a fifth of a tag page's rendering; here the results of a memoized macro
    are joined as they are. Results that are not markup are escaped, as a loop would."""
    parts = [macro(item, *args, **kwargs) for item in items]
    if not eval_ctx.autoescape:
        return "\n".join(map(str, parts))
    if all(type(part) is Markup for part in parts):
        return Markup("\n".join(parts))
    return Markup("\n").join(parts)


def static_files(dirs: Sequence[Path]) -> dict[str, Path]:
    """Every static asset as output path ("static/style.css") -> source file.

    Files of an earlier (overriding) theme replace the default theme's files of the same name;
    that is an intended override, not a collision.
    """
    found: dict[str, Path] = {}
    for d in reversed(dirs):  # default first, so the site's theme overwrites it
        static = d / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found["static/" + path.relative_to(static).as_posix()] = path
    return dict(sorted(found.items()))


def template_error(exc: jinja2.TemplateError, fallback_name: str) -> BuildError:
    """A template problem as a BuildError naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return BuildError(f"template syntax error: {exc.message}", exc.filename or exc.name or fallback_name, exc.lineno)
    if isinstance(exc, jinja2.TemplateNotFound):
        return BuildError(f"template not found: {exc.name}", fallback_name)
    # Runtime errors (an undefined variable, say): Jinja rewrites the traceback so that its
    # frames point into the template source; the innermost one is where it went wrong.
    path, line = fallback_name, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            path, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return BuildError(f"template error: {exc}", path, line)


# Macros whose output depends on their arguments only (imported without context, reading no
# globals): each distinct call is rendered once per process and reused. A paper's card is on
# about 13 pages (its day, 3-4 tag and 3-4 author pages, the ~5 papers it is related to).
# Bounded, so that at 100,000 papers a worker keeps the recently used cards only (pages come
# in the order of the newest paper they show, which keeps a card's uses on day and tag pages
# close together; see BENCHMARKS.md for what that leaves).
# A macro that another memoized one imports comes first (an import reads the macro when the
# importing template's module is made, so it must be the memoized one by then).
MEMOIZED_MACROS = (
    ("partials/card_details.html", "card_details"),
    ("partials/paper_card.html", "paper_card"),
)
MACRO_CACHE_SIZE = 30_000
CARD_DETAILS = MEMOIZED_MACROS[0]  # may be made for every paper before the pages (`Renderer.render_card_details`)


def memoize_macros(env: jinja2.Environment, lookups: Mapping[tuple[str, str], Callable] | None = None) -> None:
    """Replace each of MEMOIZED_MACROS in its template's module by a memoized version.

    Templates that `{% from ... import %}` a macro get it from that module (Jinja caches an
    imported template's module when it is imported without context), so they call the memoized
    one. A theme without that template or macro is left as it is. `lookups` (by template and
    macro name) give a result made beforehand, or None to render it."""
    for template_name, macro_name in MEMOIZED_MACROS:
        try:
            module = env.get_template(template_name).module
        except jinja2.TemplateNotFound:
            continue
        macro = getattr(module, macro_name, None)
        if callable(macro):
            lookup = (lookups or {}).get((template_name, macro_name))
            setattr(module, macro_name, MemoizedMacro(macro, lookup))


def add_partial_cached(env: jinja2.Environment) -> None:
    """The template global `partial_cached(name, **variables)`: template `name` rendered with
    just `variables`, once per distinct set of values in this process (as Hugo's
    `partialCached`). For the parts of every page that depend on little: the site header
    (the page kind and nav section) and footer, which a theme may override as plain HTML."""

    @functools.lru_cache(maxsize=256)
    def render(name: str, variables: tuple[tuple[str, object], ...]) -> Markup:
        return Markup(env.get_template(name).render(dict(variables)))

    def partial_cached(name: str, **variables: object) -> Markup:
        return render(name, tuple(sorted(variables.items())))

    env.globals["partial_cached"] = partial_cached


class MemoizedMacro:
    """A macro with an LRU cache of its results by argument values (frozen view objects), and
    optionally a `lookup` of results made beforehand (None: not there)."""

    def __init__(self, macro, lookup: Callable | None = None) -> None:  # noqa: ANN001 - a jinja2.runtime.Macro
        self.macro = macro
        self._lookup = lookup
        self._cached = functools.lru_cache(maxsize=MACRO_CACHE_SIZE)(macro)

    def forget(self) -> None:
        self._cached.cache_clear()

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if self._lookup is not None:
            found = self._lookup(*args, **kwargs)
            if found is not None:
                return found
        try:
            return self._cached(*args, **kwargs)
        except TypeError:  # an argument that cannot be hashed (a theme passing a dict): no cache
            return self.macro(*args, **kwargs)
