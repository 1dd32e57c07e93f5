"""The history chapter's panel: pick an event and a span of years, see the timeline and the event."""

from __future__ import annotations

from typing import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt

from lstm_core.reproduction.literature import TIMELINE, TimelineEvent, events_between
from lstm_core.plots.history import plot_timeline

__all__ = ["timeline_explorer"]


def timeline_explorer(events: Sequence[TimelineEvent] = TIMELINE, start: int = 1997) -> widgets.Widget:
    """A dropdown that highlights one event and a slider that chooses the years shown.

    Args:
        events: the events, sorted by year (default: :data:`lstm_core.reproduction.literature.TIMELINE`).
        start: year of the event selected at first (the first event if no event has that year).

    Returns:
        A VBox with the controls above the figure and the chosen event's description.
    """
    events = tuple(events)
    if not events:
        raise ValueError("timeline_explorer: no events; expected at least one TimelineEvent")
    first, last = events[0].year, events[-1].year
    choice = widgets.Dropdown(
        options=[(f"{e.year}: {e.title}", e) for e in events],
        value=next((e for e in events if e.year == start), events[0]),
        description="event",
        layout=widgets.Layout(width="420px"),
    )
    years = widgets.IntRangeSlider(
        value=(first, last), min=first - 1, max=last + 1, description="years", continuous_update=False,
        layout=widgets.Layout(width="420px"),
    )

    def show(event: TimelineEvent, span: tuple[int, int]) -> None:
        shown = events_between(span[0], span[1], events)
        highlight = shown.index(event) if event in shown else None
        plot_timeline([e.year for e in shown], [e.title for e in shown], highlight=highlight,
                      xlim=(span[0] - 0.5, span[1] + 0.5))
        plt.show()
        note = "" if highlight is not None else " (outside the years shown)"
        print(f"{event.year}, {event.title}{note}: {event.description}")

    output = widgets.interactive_output(show, {"event": choice, "span": years})
    return widgets.VBox([widgets.HBox([choice, years]), output])
