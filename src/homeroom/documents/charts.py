"""Permission charts generated from the profile data files, as Markdown or HTML.

The docs' permission tables and the console's chart come from here, never from hand-written tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from homeroom.policy.profiles import Profile, format_scope


@dataclass(frozen=True, slots=True)
class ChartLine:
    number: int
    ids: tuple[str, ...]
    label: str
    cells: tuple[str, ...]


def chart_lines(profile: Profile) -> list[ChartLine]:
    return [
        ChartLine(row.number, row.ids, row.label, tuple(format_scope(cell) for cell in row.cells))
        for row in profile.rows
    ]


def implied_views(profile: Profile) -> list[str]:
    charted = {pid for row in profile.rows for pid in row.ids}
    return sorted(profile.permission_ids - charted)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("homeroom.documents", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_chart(profile: Profile, fmt: str = "md") -> str:
    """The profile's permission chart; `fmt` is `md` or `html`."""
    template = _environment().get_template(f"chart.{fmt}.j2")
    return template.render(
        profile=profile,
        roles=[profile.roles[column] for column in profile.columns],
        lines=chart_lines(profile),
        implied=implied_views(profile),
        settings=list(profile.settings.values()),
    )
