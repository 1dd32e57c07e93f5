"""Where the weights of a 1997 network sit: its parameters grouped by connection (connectivity "F").

Connectivity "F" (paper, Sec. 5): every hidden unit (memory cells and gate units) reads every
input unit and the previous activation of every hidden unit; the output units read the cells
only; some units carry a bias. ``weight_groups(model)`` counts the weights of each kind of
connection from the model's own parameter tensors, so a figure or a sentence that states
"93 weights" states what the code has:

>>> from lstm_core import paper_network
>>> [(g.source, g.target, g.count) for g in weight_groups(paper_network("adding"))]  # doctest: +NORMALIZE_WHITESPACE
[('inputs', 'gates', 8), ('inputs', 'cells', 8), ('hidden', 'gates', 32), ('hidden', 'cells', 32),
 ('cells', 'outputs', 4), ('bias', 'gates', 4), ('bias', 'cells', 4), ('bias', 'outputs', 1)]
>>> sum(g.count for g in weight_groups(paper_network("adding")))
93

The columns of every hidden unit's weight matrix are ``[inputs x(t) | hidden y(t-1)]`` (see
:mod:`lstm_core.model.cells`); "gates" are the input and output gates (and the later forget gate of a
``forget_gate=True`` network, which is not the paper's).
"""
from __future__ import annotations

from dataclasses import dataclass

from lstm_core.model.networks import LSTM1997

__all__ = ["WeightGroup", "weight_groups", "SOURCES", "TARGETS"]

#: where a connection starts: input units, hidden units of the previous step, cells (current step), a bias
SOURCES = ("inputs", "hidden", "cells", "bias")
#: where it ends: gate units, cell units, output units
TARGETS = ("gates", "cells", "outputs")


@dataclass(frozen=True)
class WeightGroup:
    """The weights of one kind of connection in a 1997 network."""

    source: str  # one of SOURCES: "inputs", "hidden" (y(t-1) of all hidden units), "cells" (y^c(t)), "bias"
    target: str  # one of TARGETS: "gates", "cells", "outputs"
    count: int  # number of weights
    parameters: tuple[str, ...]  # the parameter tensors (and column ranges) they are taken from


def weight_groups(model: LSTM1997) -> tuple[WeightGroup, ...]:
    """The weights of ``model`` by connection, in the order of ``SOURCES`` x ``TARGETS``, zeros included.

    Every parameter of the model is counted exactly once; the counts add up to
    ``count_parameters(model)`` (checked here, so a new parameter the grouping does not know
    raises instead of being left out).

    Raises:
        ValueError: ``model`` is not an ``LSTM1997`` (connectivity "F"); the 2a/2b network
            as the paper wires it ("2a-B", an ``LSTM2a``) has connectivity "B" and is not grouped here.
    """
    if not isinstance(model, LSTM1997):
        raise ValueError(f"weight_groups counts the connections of an LSTM1997 network (connectivity 'F'); "
                         f"got {type(model).__name__}. Build one with paper_network(name) for a name other "
                         f"than '2a-B'.")
    cell, n_in = model.cell, model.cell.n_inputs
    gates = [(name, getattr(cell, name)) for name in ("weight_in", "weight_out", "weight_forget")
             if getattr(cell, name) is not None]
    gate_biases = [(name, getattr(cell, name)) for name in ("bias_in", "bias_out", "bias_forget")
                   if getattr(cell, name) is not None]

    def cols(name: str, part: str) -> str:
        return f"cell.{name}[:, {':' + str(n_in) if part == 'inputs' else str(n_in) + ':'}]"

    out_bias = model.output_units.bias
    groups = (
        WeightGroup("inputs", "gates", sum(w[:, :n_in].numel() for _, w in gates),
                    tuple(cols(n, "inputs") for n, _ in gates)),
        WeightGroup("inputs", "cells", cell.weight_c[:, :n_in].numel(), (cols("weight_c", "inputs"),)),
        WeightGroup("hidden", "gates", sum(w[:, n_in:].numel() for _, w in gates),
                    tuple(cols(n, "hidden") for n, _ in gates)),
        WeightGroup("hidden", "cells", cell.weight_c[:, n_in:].numel(), (cols("weight_c", "hidden"),)),
        WeightGroup("cells", "outputs", model.output_units.weight.numel(), ("output_units.weight",)),
        WeightGroup("bias", "gates", sum(b.numel() for _, b in gate_biases),
                    tuple(f"cell.{n}" for n, _ in gate_biases)),
        WeightGroup("bias", "cells", 0 if cell.bias_c is None else cell.bias_c.numel(),
                    () if cell.bias_c is None else ("cell.bias_c",)),
        WeightGroup("bias", "outputs", 0 if out_bias is None else out_bias.numel(),
                    () if out_bias is None else ("output_units.bias",)),
    )
    total = sum(p.numel() for p in model.parameters())
    if sum(g.count for g in groups) != total:  # a parameter this grouping does not know about
        raise RuntimeError(f"weight_groups accounts for {sum(g.count for g in groups)} of the model's "
                           f"{total} weights; update it for {sorted(dict(model.named_parameters()))}")
    return groups
