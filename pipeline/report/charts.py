"""Inline SVG pieces for the report's charts, drawn in Python: no scripts, no libraries, no network.

Each chart row is an HTML row whose labels and numbers are HTML text (so they wrap and stay
readable on a phone) and whose marks are a small SVG stretched to the row's width. The SVGs use
``preserveAspectRatio="none"`` with a 0-100 user-space width, so x positions are percentages;
lines keep their width through ``vector-effect="non-scaling-stroke"``. No user text is ever placed
inside an SVG: only effect names and numbers, escaped all the same.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup, escape

# Order of the stacked segments: support first, then the contrary evidence, then the undecided.
EFFECTS = ("helped", "partial", "no_effect", "worsened", "unclear")
EFFECT_LABELS = {
    "helped": "helped",
    "partial": "partly helped",
    "no_effect": "no effect",
    "worsened": "worsened",
    "unclear": "unclear",
}
# Colour-blind-safe pairs (blue/orange family) with a grey for "no effect".
EFFECT_COLOURS = {
    "helped": "#1f6fb2",
    "partial": "#8fbde6",
    "no_effect": "#9aa3ad",
    "worsened": "#d4651a",
    "unclear": "#e4e7eb",
}
_BAR_HEIGHT = 12


@dataclass(frozen=True)
class Segment:
    """One stacked piece of a bar: an effect and how many claims report it."""

    effect: str
    count: int


def effect_bar_svg(segments: Sequence[Segment], scale_max: int) -> Markup:
    """A horizontal bar of claim counts stacked by effect, ``scale_max`` claims wide."""
    scale = max(scale_max, 1)
    shapes: list[str] = []
    x = 0.0
    for segment in segments:
        if segment.count <= 0:
            continue
        width = 100.0 * segment.count / scale
        label = f"{EFFECT_LABELS.get(segment.effect, segment.effect)}: {segment.count}"
        shapes.append(
            f'<rect x="{_num(x)}" y="0" width="{_num(width)}" height="{_BAR_HEIGHT}" '
            f'fill="{EFFECT_COLOURS.get(segment.effect, "#cccccc")}"><title>{escape(label)}</title></rect>'
        )
        x += width
    summary = ", ".join(f"{EFFECT_LABELS.get(s.effect, s.effect)} {s.count}" for s in segments if s.count > 0)
    return _svg("bar", summary or "no claims", shapes)


def share_interval_svg(share: float | None, low: float | None, high: float | None) -> Markup:
    """A point with a 95% interval whisker on a 0-100% axis; an empty axis when the share is unknown."""
    shapes = [
        f'<line x1="{tick}" y1="0" x2="{tick}" y2="{_BAR_HEIGHT}" class="grid" vector-effect="non-scaling-stroke"/>'
        for tick in (2, 26, 50, 74, 98)
    ]
    if share is None:
        return _svg("interval", "share unknown", shapes)
    low_x, high_x, point_x = (_percent(value) for value in (low if low is not None else share, high if high is not None else share, share))
    middle = _BAR_HEIGHT / 2
    shapes += [
        f'<line x1="{low_x}" y1="{_num(middle)}" x2="{high_x}" y2="{_num(middle)}" class="whisker" vector-effect="non-scaling-stroke"/>',
        f'<line x1="{low_x}" y1="2" x2="{low_x}" y2="{_BAR_HEIGHT - 2}" class="whisker" vector-effect="non-scaling-stroke"/>',
        f'<line x1="{high_x}" y1="2" x2="{high_x}" y2="{_BAR_HEIGHT - 2}" class="whisker" vector-effect="non-scaling-stroke"/>',
        f'<line x1="{point_x}" y1="0" x2="{point_x}" y2="{_BAR_HEIGHT}" class="point" vector-effect="non-scaling-stroke"/>',
    ]
    return _svg("interval", share_text(share, low, high), shapes)


def legend_swatch_svg(effect: str) -> Markup:
    """A small coloured square for the chart legend."""
    return Markup(
        '<svg class="swatch" viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{EFFECT_COLOURS.get(effect, "#cccccc")}"/></svg>'
    )


def share_text(share: float | None, low: float | None, high: float | None) -> str:
    """``share 80% (95% CI 49–94%)``, or a dash when nothing can be said."""
    if share is None:
        return "–"
    if low is None or high is None:
        return f"{_whole_percent(share)}%"
    return f"{_whole_percent(share)}% (95% CI {_whole_percent(low)}–{_whole_percent(high)}%)"


def _svg(kind: str, label: str, shapes: list[str]) -> Markup:
    return Markup(
        f'<svg class="{kind}" viewBox="0 0 100 {_BAR_HEIGHT}" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(label)}">' + "".join(shapes) + "</svg>"
    )


def _percent(fraction: float) -> str:
    # 0-100% maps to 2-98 so that the whisker caps at the ends are not cut off.
    return _num(2.0 + 96.0 * min(max(fraction, 0.0), 1.0))


def _whole_percent(fraction: float) -> int:
    return int(round(100.0 * min(max(fraction, 0.0), 1.0)))


def _num(value: float) -> str:
    # Fixed precision keeps the output byte-identical across platforms.
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
