"""Readings: the points where the paper is ambiguous (or our choice may matter), as named options of a row.

A :class:`Reading` changes named fields of a :class:`~lstm_core.reproduction.rows.Row` and
nothing else; ``apply_reading(row, "step")`` gives the row run under that reading (same key).
The ``"literal"`` reading is our reading of the text (``rows.literal_row``); a row ships
with it unless it adopted another (``rows.ADOPTED``). Names join with ``+``: ``"igb-neg+lr-x0.5"`` applies both, left first.

=================  ==============================================================================
name               what it changes
=================  ==============================================================================
``literal``        nothing: the text as we read it (``rows.literal_row``)
``step``           a weight update at every step with a target (truncated RTRL, App. A.1) instead of
                   one per sequence (identical when error comes only at the end)
``sequence``       one update per sequence (the shipped default)
``lr-x0.5`` ...    the learning rate times 0.5 (also ``lr-x0.1``, ``lr-x2``)
``init-0.1``       initial weights in [-0.1, 0.1] (also ``init-0.2``)
``igb-neg``        Sec. 4's remedy for internal state drift: input-gate biases -2, -4, -6, ... (one per
                   block); a network without biases gets gate biases, its output-gate biases 0
``igb-random``     input-gate biases random in the random-bias range instead of the fixed ones
``ogb-neg``        Sec. 4's remedy for the abuse problem: output-gate biases -1, -2, -3, ...; a network
                   without biases gets gate biases, its input-gate biases 0
``check-100``      the test set checked every 100 sequences (rows judged on a test set: Exps. 1, 3)
``budget-x2``      twice the row's training budget (the paper trained until success)
``cell-1000``      2a/2b: the memory cell and its input gate join after 1,000 training sequences (the
                   paper: "once the error had stopped decreasing", with no number), not at the start
``full-gradient``  the untruncated gradient (scissors off: exact backprop through time, the
                   ``lstm1997-full`` engine) with one update per sequence; with ``step`` it is refused
                   (no engine computes full RTRL)
=================  ==============================================================================

Readings of the text and departures. A reading is ``faithful`` when it reads a point the
paper leaves open: when weights change (per step or per sequence), how often a test set is
checked, the training budget (the paper trained until success), what "the factor 2 goes into
alpha" means for the learning rate (``lr-x2``), when 2a's cell joins (``cell-1000``), and the full
gradient, which Sec. 6 reports makes "no significant difference". A row may adopt a faithful reading (``rows.ADOPTED``). The others
depart from what the paper states (its learning rates, initial ranges and gate biases; Sec. 4's
remedies among them): they are measured, to learn what matters, and never adopted.

A zero gate bias that the literal network does not have is still a trainable weight, and the
network's random initial weights are drawn in a different order once it has more parameters:
``igb-neg`` and ``ogb-neg`` on a bias-free row change those two things as well, and say so.

>>> from lstm_core.reproduction.rows import get_row
>>> row = apply_reading(get_row("T3-2c-q100-p100"), "igb-neg")
>>> dict(row.overrides)["input_gate_bias"], row.learning_rate
((-2.0, -4.0), 0.01)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable

from lstm_core.model.networks import LSTM1997Config, paper_spec

if TYPE_CHECKING:  # rows.py builds the shipped rows with apply_reading, so it imports this module
    from lstm_core.reproduction.rows import Row

__all__ = ["Reading", "READINGS", "LITERAL", "get_reading", "apply_reading", "reading_names", "network_config",
           "is_faithful"]

LITERAL = "literal"


@dataclass(frozen=True)
class Reading:
    """One named reading: ``change(row)`` returns the Row fields it replaces."""

    name: str
    what: str  # what it reads differently from the shipped rows, in a few words
    change: Callable[["Row"], dict[str, Any]]
    faithful: bool = False  # True: reads a point the paper leaves open (may be adopted); False: departs from it


def network_config(row: "Row") -> Any:
    """The row's network config with its overrides applied (an ``LSTM1997Config`` or ``LSTM2aConfig``)."""
    config = paper_spec(row.network, row.p).config
    return replace(config, **dict(row.overrides)) if row.overrides else config


def _override(row: "Row", **fields: Any) -> dict[str, Any]:
    if row.model != "lstm1997" or not isinstance(network_config(row), LSTM1997Config):
        raise ValueError(f"row {row.key}: this reading changes the 1997 network's config ({sorted(fields)}); "
                         f"the row's network {row.network!r} (model {row.model!r}) has no such field")
    merged = dict(row.overrides)
    merged.update(fields)
    return {"overrides": tuple(sorted(merged.items()))}


def _gate_biases(row: "Row", which: str, step: float, start: float) -> dict[str, Any]:
    """Fixed ``which`` ("input"/"output") gate biases start, start + step, ... ; gate biases added if none."""
    config = network_config(row) if row.model == "lstm1997" else None
    if not isinstance(config, LSTM1997Config):
        raise ValueError(f"row {row.key}: gate-bias readings need the 1997 network; {row.network!r} has none "
                         "(2a/2b: no output gate and no biases by the paper's design)")
    n = config.n_blocks
    values = tuple(float(start + step * i) for i in range(n))
    field = f"{which}_gate_bias"
    if getattr(config, field) == values:
        raise ValueError(f"row {row.key}: its {which}-gate biases are already {values}; this reading changes nothing")
    fields: dict[str, Any] = {field: values}
    if config.bias_units == "none":  # the gates get biases; the other gate's start at 0
        other = "output" if which == "input" else "input"
        fields.update(bias_units="gates", **{f"{other}_gate_bias": (0.0,) * n})
    return _override(row, **fields)


def _random_igb(row: "Row") -> dict[str, Any]:
    config = network_config(row) if row.model == "lstm1997" else None
    if not isinstance(config, LSTM1997Config) or config.bias_units == "none" or config.input_gate_bias is None:
        raise ValueError(f"row {row.key}: its input-gate biases are not fixed values; 'igb-random' changes nothing")
    return _override(row, input_gate_bias=None)


def _check(row: "Row", every: int) -> dict[str, Any]:
    if row.check_every == every:
        raise ValueError(f"row {row.key} already checks its test set every {every} sequences")
    return {"check_every": every}


def _updates(row: "Row", updates: str) -> dict[str, Any]:
    if row.updates == updates:
        raise ValueError(f"row {row.key} already updates once per {updates}")
    return {"updates": updates}


def _cell_join(row: "Row", sequences: int) -> dict[str, Any]:
    if not row.network.startswith("2a"):
        raise ValueError(f"row {row.key}: only the 2a/2b network adds its cell late; {row.network!r} has its cells "
                         "from the start")
    if row.cell_from == sequences:
        raise ValueError(f"row {row.key}: its cell already joins after {sequences} sequences")
    return {"cell_from": sequences}


def _readings() -> dict[str, Reading]:
    out = [
        Reading(LITERAL, "the text as we read it", lambda row: {}, True),
        Reading("step", "a weight update at every step with a target (truncated RTRL)", lambda r: _updates(r, "step"),
                True),
        Reading("sequence", "one weight update per sequence", lambda r: _updates(r, "sequence"), True),
        Reading("igb-neg", "input-gate biases -2, -4, ... (Sec. 4, internal state drift)",
                lambda r: _gate_biases(r, "input", -2.0, -2.0)),
        Reading("igb-random", "input-gate biases random instead of fixed", _random_igb),
        Reading("ogb-neg", "output-gate biases -1, -2, ... (Sec. 4, abuse problem)",
                lambda r: _gate_biases(r, "output", -1.0, -1.0)),
        Reading("check-100", "the test set checked every 100 sequences", lambda r: _check(r, 100), True),
        Reading("budget-x2", "twice the row's training budget", lambda r: {"budget": 2 * r.budget}, True),
        Reading("cell-1000", "the 2a/2b cell joins after 1,000 sequences", lambda r: _cell_join(r, 1000), True),
        Reading("full-gradient", "the full gradient (scissors off)", lambda r: _override(r, scissors=False), True),
    ]
    for factor in (0.1, 0.5, 2):  # x2: "the factor 2 goes into alpha" read the other way; the others depart
        out.append(Reading(f"lr-x{factor}", f"the learning rate times {factor}",
                           lambda r, f=factor: {"learning_rate": round(r.learning_rate * f, 12)}, factor == 2))
    for rng in (0.1, 0.2):
        out.append(Reading(f"init-{rng}", f"initial weights in [-{rng}, {rng}]",
                           lambda r, x=rng: _init(r, x)))
    return {r.name: r for r in out}


def _init(row: "Row", r: float) -> dict[str, Any]:
    if network_config(row).init_range == r:
        raise ValueError(f"row {row.key} already draws its initial weights from [-{r}, {r}]")
    return _override(row, init_range=r)


#: Every named reading, by name.
READINGS: dict[str, Reading] = _readings()


def reading_names(name: str) -> list[str]:
    """The readings a name joins with ``+`` (each checked to exist)."""
    parts = [p.strip() for p in str(name).split("+")]
    for p in parts:
        if p not in READINGS:
            raise ValueError(f"unknown reading {p!r}; expected one of {sorted(READINGS)} (join several with '+')")
    return parts


def is_faithful(name: str) -> bool:
    """Whether every reading a name joins reads a point the paper leaves open (see the module docstring)."""
    return all(READINGS[p].faithful for p in reading_names(name))


def get_reading(name: str) -> Reading:
    """The reading called ``name`` (one name; see :data:`READINGS`)."""
    if name not in READINGS:
        raise ValueError(f"unknown reading {name!r}; expected one of {sorted(READINGS)}")
    return READINGS[name]


def apply_reading(row: "Row", name: str) -> "Row":
    """``row`` run under reading ``name`` (names joined by ``+`` apply left to right); the key stays.

    The result's ``reading`` field names the readings applied so far, joined by ``+``
    (``"literal"``: none).
    """
    for part in reading_names(name):
        if part == LITERAL:
            continue
        row = replace(row, **READINGS[part].change(row))
        row = replace(row, reading=part if row.reading == LITERAL else f"{row.reading}+{part}")
    if any(not isinstance(v, (int, float, str, bool, tuple, type(None))) for _, v in row.overrides):
        raise ValueError(f"row {row.key}: overrides must be plain values, got {row.overrides!r}")
    return row
