"""The diagrams drawn by code: each builds, says what it claims, takes its numbers from the model."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

from lstm_core import PAPER_NETWORKS, TorchLSTM, count_parameters, paper_network  # noqa: E402
from lstm_core.model.connectivity import SOURCES, TARGETS, weight_groups
from lstm_core.analysis.gradients import product_chain
from lstm_core.plots.architectures import VARIANTS, draw_cell_variants, draw_paper_network
from lstm_core.plots.diagrams import draw_carousel, draw_memory_block, draw_unrolled_loop



def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def _is_white(fig) -> bool:
    return mcolors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def _arrows(fig, color: str) -> list[FancyArrowPatch]:
    rgba = mcolors.to_rgba(color)
    return [p for ax in fig.axes for p in ax.patches
            if isinstance(p, FancyArrowPatch) and mcolors.to_rgba(p.get_edgecolor()) == rgba]


def _circles(fig, label: str) -> int:
    """Circles whose centre carries the text ``label`` (the diagrams' operation nodes)."""
    ax = fig.axes[0]
    centres = {tuple(np.round(p.center, 6)) for p in ax.patches if isinstance(p, Circle)}
    return sum(1 for t in ax.texts if t.get_text() == label and tuple(np.round(t.get_position(), 6)) in centres)


# ---------------------------------------------------------------------------------------
# (a) the unrolled loop
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("steps", [2, 4, 6])
def test_unrolled_loop_draws_every_step_with_the_shared_weights(steps):
    fig = draw_unrolled_loop(steps)
    texts = _texts(fig)
    assert _is_white(fig)
    for k in range(1, steps + 1):
        assert f"$x_{k}$" in texts
    assert "$h_t$" in texts and "$h_0 = 0$" in texts  # the folded loop and the start of the unrolled one
    assert texts.count("$W_{hh}$") == 1 + steps  # the self-loop, then one arrow into each step
    assert any(f"T = {steps} steps" in t for t in texts)
    assert not _arrows(fig, "tab:red")  # no error without error=


def test_unrolled_loop_shows_the_error_shrinking_by_the_given_factors():
    sizes = product_chain(0.9, 0.3, 3)[::-1]  # 0.27^3, 0.27^2, 0.27, 1 at h_1 .. h_4
    fig = draw_unrolled_loop(4, error=sizes)
    texts = _texts(fig)
    assert ["0.02", "0.073", "0.27", "1"] == [t for t in texts if t in {"0.02", "0.073", "0.27", "1"}]
    assert texts.count("×0.27") == 3  # one factor per step back
    red = _arrows(fig, "tab:red")
    assert len(red) == 4  # from L into h_4, then three steps back
    widths = [a.get_linewidth() for a in red]
    assert widths[0] > widths[1] > widths[2] > widths[3]  # drawn narrower as the error shrinks


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": 1}, "steps must be an integer from 2 to 6"),
    ({"steps": 7}, "steps must be an integer from 2 to 6"),
    ({"steps": 3.0}, "steps must be an integer"),
    ({"steps": 3, "error": [1.0, 0.5]}, "error must hold 3"),
    ({"steps": 3, "error": [0.1, -0.5, 1.0]}, "non-negative"),
    ({"steps": 3, "error": [0.1, 0.5, 0.0]}, "last step must be positive"),
])
def test_unrolled_loop_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_unrolled_loop(**kwargs)


# ---------------------------------------------------------------------------------------
# (b) the carousel
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("steps", [2, 5])
def test_carousel_has_a_fixed_self_loop_of_one_and_a_constant_error(steps):
    fig = draw_carousel(steps)
    texts = _texts(fig)
    assert _is_white(fig)
    assert "weight 1.0, fixed" in texts and "linear: $f(x) = x$" in texts
    assert texts.count("×1.0") == steps - 1  # one carousel step between consecutive states
    assert texts.count(r"$\delta$") == steps  # the same error at every step
    assert _circles(fig, "+") == steps
    red = _arrows(fig, "tab:red")
    assert len(red) == steps - 1 and len({a.get_linewidth() for a in red}) == 1  # not shrinking


def test_carousel_rejects_bad_steps():
    with pytest.raises(ValueError, match="draw_carousel: steps"):
        draw_carousel(0)


# ---------------------------------------------------------------------------------------
# (c) a block with shared gates
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("S", [1, 2, 4])
def test_memory_block_has_one_pair_of_gates_for_all_its_cells(S):
    fig = draw_memory_block(S)
    texts = _texts(fig)
    assert _is_white(fig)
    assert texts.count("f") == 2  # one input gate, one output gate ...
    assert "input gate: write" in texts and "output gate: read" in texts
    assert _circles(fig, "×") == 2 * S and _circles(fig, "+") == S  # ... for S writes, S reads, S CECs
    for v in range(1, S + 1):
        assert f"$y^{{c_{v}}}$" in texts and f"$s_{{c_{v}}}$" in texts and f"cell {v}" in texts
    assert texts.count("×1.0") == S
    assert any(f"S = {S}" in t for t in texts)
    blue = _arrows(fig, "tab:blue")
    assert len(blue) == 2 * S  # y^in into every write, y^out into every read


def test_memory_block_rejects_bad_sizes():
    for bad in (0, 5, "2"):
        with pytest.raises(ValueError, match="block_size must be an integer from 1 to 4"):
            draw_memory_block(bad)


# ---------------------------------------------------------------------------------------
# (d) the network: counts from the model
# ---------------------------------------------------------------------------------------
def test_weight_groups_of_the_adding_network():
    groups = {(g.source, g.target): g.count for g in weight_groups(paper_network("adding"))}
    assert groups == {("inputs", "gates"): 8, ("inputs", "cells"): 8, ("hidden", "gates"): 32,
                      ("hidden", "cells"): 32, ("cells", "outputs"): 4, ("bias", "gates"): 4,
                      ("bias", "cells"): 4, ("bias", "outputs"): 1}
    assert sum(groups.values()) == 93


@pytest.mark.parametrize("name", [n for n in PAPER_NETWORKS if n != "2a-B"])
def test_weight_groups_follow_connectivity_f_and_add_up(name):
    net = paper_network(name)
    cell = net.cell
    n_in, H, C, B = cell.n_inputs, cell.hidden_size, cell.n_cells, cell.n_blocks
    gates = cell.n_gate_units
    groups = {(g.source, g.target): g.count for g in weight_groups(net)}
    assert {s for s, _ in groups} <= set(SOURCES) and {t for _, t in groups} <= set(TARGETS)
    assert groups["inputs", "gates"] == gates * n_in and groups["inputs", "cells"] == C * n_in
    assert groups["hidden", "gates"] == gates * H and groups["hidden", "cells"] == C * H
    assert groups["cells", "outputs"] == net.n_outputs * C
    assert sum(groups.values()) == count_parameters(net)
    if PAPER_NETWORKS[name].table10_weights is not None:
        assert sum(groups.values()) == PAPER_NETWORKS[name].table10_weights
    assert B >= 1


def test_weight_groups_count_a_forget_gate_among_the_gates():
    plain = {(g.source, g.target): g.count for g in weight_groups(paper_network("adding"))}
    later = {(g.source, g.target): g.count for g in weight_groups(paper_network("adding", forget_gate=True))}
    assert later["inputs", "gates"] == plain["inputs", "gates"] * 3 // 2  # three gates per block, not two
    assert later["bias", "gates"] == 6


def test_weight_groups_reject_other_models():
    with pytest.raises(ValueError, match="connectivity 'F'"):
        weight_groups(paper_network("2a-B"))
    with pytest.raises(ValueError, match="got TorchLSTM"):
        weight_groups(TorchLSTM(2, 4, 1))


def _table(fig) -> dict[str, int]:
    """The figure's table of counts: label -> number (the texts right-aligned at the table's edge)."""
    ax = fig.axes[0]
    right = max(t.get_position()[0] for t in ax.texts)
    numbers = {round(t.get_position()[1], 6): int(t.get_text()) for t in ax.texts
               if t.get_position()[0] == right and t.get_text().isdigit()}
    labels = {round(t.get_position()[1], 6): t.get_text() for t in ax.texts
              if t.get_ha() == "left" and round(t.get_position()[1], 6) in numbers}
    return {labels[y]: n for y, n in numbers.items()}


def test_network_diagram_states_the_counts_the_model_has():
    fig = draw_paper_network("adding")
    table = _table(fig)
    assert table.pop("total") == 93 == count_parameters(paper_network("adding"))
    assert sum(table.values()) == 93
    assert table["inputs → gates"] == 8 and table["cells → outputs"] == 4
    assert "93 weights" in fig.axes[0].get_title() and "paper_network('adding')" in fig.axes[0].get_title()
    texts = _texts(fig)
    assert "2 input units" in texts and "1 output unit" in texts
    assert any("32 → gates, 32 → cells" in t for t in texts)  # the recurrent connections


def test_network_diagram_follows_a_changed_model():
    net = paper_network("adding", n_blocks=3, input_gate_bias=None, forget_gate=True)
    table = _table(draw_paper_network(net))
    assert table.pop("total") == count_parameters(net) != 93
    assert sum(table.values()) == count_parameters(net)
    assert table["inputs → gates"] == 3 * 3 * 2  # 3 blocks x 3 gates x 2 inputs


@pytest.mark.parametrize("name", ["2c", "reber-4x1", "6b"])
def test_network_diagram_builds_for_large_networks(name):
    fig = draw_paper_network(name)
    assert _table(fig)["total"] == count_parameters(paper_network(name))


def test_network_diagram_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown experiment"):
        draw_paper_network("addition")
    with pytest.raises(ValueError, match="connectivity 'F'"):
        draw_paper_network("2a-B")
    with pytest.raises(ValueError, match="LSTM1997"):
        draw_paper_network(TorchLSTM(2, 4, 1))


# ---------------------------------------------------------------------------------------
# (e) four cells
# ---------------------------------------------------------------------------------------
def test_cell_variants_show_four_cells_with_their_gates():
    fig = draw_cell_variants()
    texts = _texts(fig)
    assert _is_white(fig)
    for title, update, _ in VARIANTS.values():
        assert title in texts and update in texts
    assert "$r_t$" in texts and "$z_t$" in texts and "$n_t$" in texts  # the GRU with its reset gate
    for gate in ("$i_t$", "$f_t$", "$o_t$", "$g_t$"):  # the modern LSTM
        assert texts.count(gate) == 1
    assert texts.count("$y^{in}$") == 2 and texts.count("$y^{out}$") == 2  # 1997 and forget-gate cells
    assert texts.count("$y^{\\varphi}$") == 1  # the forget gate: only in the later cell
    assert "×1.0" in texts  # the 1997 state is not multiplied by anything
    # write and read nodes, and a third one on the state line of every cell but the 1997 one
    assert _circles(fig, "×") == 2 + 3 + 3 + 2  # 1997, forget gate, modern (write, read, forget); GRU (z, write)

