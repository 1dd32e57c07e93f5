"""What other papers report, as data: Gers et al. (2000)'s Table 2 and the timeline of the history chapter.

The 1997 paper's own tables are in :mod:`lstm_core.reproduction.paper` (whose :data:`TABLES`
also renders :data:`GERS_2000`). Nothing here is computed.

>>> [e.year for e in events_between(1990, 1997)]
[1991, 1994, 1997]
>>> GERS_2000[3].algorithm, GERS_2000[3].perfect_percent
('LSTM with forget gates', 18)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = ["ForgetRow", "GERS_2000", "TimelineEvent", "TIMELINE", "events_between"]


# Gers, Schmidhuber & Cummins (2000), Table 2: continual embedded Reber grammar --------


@dataclass(frozen=True)
class ForgetRow:
    """One row of Gers et al. (2000), Table 2: the continual embedded Reber grammar, 100 networks."""

    algorithm: str  # the network variant
    perfect_percent: int  # % of networks that predicted 10 test streams of 100,000 symbols without error
    training_streams: int | None  # mean training streams the perfect solutions needed (in parentheses)
    good_percent: int  # % with an average error-free run longer than 1000 symbols
    rest_percent: int  # % of the remaining networks


GERS_2000: tuple[ForgetRow, ...] = (
    ForgetRow("Standard LSTM with external reset", 74, 7_441, 0, 26),
    ForgetRow("Standard LSTM", 0, None, 1, 99),
    ForgetRow("LSTM with state decay (0.9)", 0, None, 0, 100),
    ForgetRow("LSTM with forget gates", 18, 18_889, 29, 53),
    ForgetRow("LSTM with forget gates and α decay", 62, 14_087, 6, 32),
)


# Timeline for the history chapter -------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One event in the history of long-range learning in neural networks."""

    year: int  # year of publication (or of the first public version, where noted)
    title: str  # a short title
    description: str  # one sentence, ours
    cite_key: str  # its key in chapters/references.bib


TIMELINE: tuple[TimelineEvent, ...] = (
    TimelineEvent(1991, "Hochreiter's diploma thesis",
                  "At TU München, Sepp Hochreiter analyses why error signals sent back through many time "
                  "steps of a recurrent network shrink or blow up exponentially.", "hochreiter1991thesis"),
    TimelineEvent(1994, "Bengio, Simard & Frasconi",
                  "An independent analysis shows that gradient descent struggles to learn long-term "
                  "dependencies, because storing information robustly makes its gradients vanish.",
                  "bengio1994learning"),
    TimelineEvent(1997, "Long Short-Term Memory",
                  "Hochreiter and Schmidhuber publish the memory cell: a self-connection of weight 1.0 "
                  "(the constant error carousel) guarded by multiplicative input and output gates.",
                  "hochreiter1997lstm"),
    TimelineEvent(1999, "The forget gate",
                  "Gers, Schmidhuber and Cummins add a gate that lets a cell reset its own state, so one "
                  "network can run on an unending stream (conference 1999, journal 2000).",
                  "gers2000forget"),
    TimelineEvent(2005, "Bidirectional LSTM, full gradient",
                  "Graves and Schmidhuber train LSTMs that read a sequence in both directions with the "
                  "full backpropagation-through-time gradient instead of the truncated one.",
                  "graves2005framewise"),
    TimelineEvent(2014, "Gated recurrent unit",
                  "Cho and colleagues propose the GRU, a lighter gated unit with no separate cell state or "
                  "output gate, inside an encoder-decoder for translation.", "cho2014gru"),
    TimelineEvent(2015, "Residual connections",
                  "He and colleagues add the input of each block to its output, giving very deep "
                  "feed-forward networks an additive path for gradients (CVPR 2016).", "he2016resnet"),
    TimelineEvent(2017, "The Transformer",
                  "Vaswani and colleagues replace recurrence by attention, with residual connections "
                  "around every layer.", "vaswani2017attention"),
)


def events_between(first_year: int, last_year: int,
                   events: Sequence[TimelineEvent] = TIMELINE) -> tuple[TimelineEvent, ...]:
    """The events with ``first_year <= year <= last_year``, in their order.

    >>> [e.year for e in events_between(1990, 1997)]
    [1991, 1994, 1997]
    """
    if first_year > last_year:
        raise ValueError(f"events_between: first_year={first_year} > last_year={last_year}; "
                         "expected first_year <= last_year")
    return tuple(e for e in events if first_year <= e.year <= last_year)
