"""Panels that retrain a paper network live and look inside it.

- ``live_run_panel``: retrain a paper network by the paper's protocol with the press of a button,
  on any paper task; optionally a slider that changes the task (e.g. the adding problem's T), a
  seed box and a learning-rate menu; shows the learning curve and, if asked, a look inside;
- ``adding_panel``: ``live_run_panel`` for the adding problem, with a T slider and the trained
  net's input gates and cell states on one test sequence;
- ``reber_panel``: pick, sample or type an embedded Reber string and step through a trained
  network's predictions, the allowed next symbols beside them;
- ``temporal_order_figure``: one temporal-order sequence through a network: input gates y^in,
  cell states s_c and output units over time, the X/Y steps shaded;
- ``temporal_order_panel``: pick a class (Q, R, S, U, ...), a network (e.g. trained or
  untrained) and a sequence, and see that figure.

Controls are wired to compute in :mod:`lstm_core.analysis` and figures in :mod:`lstm_core.plots` (the
same topic name); nothing is computed here.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from lstm_core.analysis.inside import gate_activity
from lstm_core.analysis.samples import adding_marked_steps, sequence_of_class
from lstm_core.dashboards.controls import bounded_int, int_slider, report_errors
from lstm_core.model.networks import LSTM1997
from lstm_core.plots.inside import plot_live_run, plot_reber_predictions, plot_trace
from lstm_core.tasks import adding, reber
from lstm_core.tasks.adding import AddingConfig
from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.online import LiveRun, live_paper_run

__all__ = ["live_run_panel", "adding_panel", "adding_inside_figure", "reber_panel",
           "temporal_order_figure", "temporal_order_panel"]


def live_run_panel(task_config: Any, network: str, learning_rate: float, max_sequences: int, *,
                   slider: Optional[tuple[str, int, int, int, int]] = None,
                   make_config: Optional[Callable[[int], Any]] = None,
                   learning_rates: Optional[Sequence[float]] = None, seed: int = 0,
                   max_seconds: float = 20.0, window: int = 2000,
                   inspect: Optional[Callable[[LiveRun], Figure]] = None,
                   plot_options: Optional[dict[str, Any]] = None, p: Optional[int] = None) -> widgets.Widget:
    """A "train" button that runs :func:`lstm_core.training.online.live_paper_run` and plots the result.

    Args:
        task_config: the task (paper config name or config object) used without a slider.
        network, learning_rate, max_sequences, p: as in ``live_paper_run``.
        slider: (label, min, max, step, value) of an integer slider that changes the task; it
            needs ``make_config(value) -> config``. Moving it does not retrain (press the button).
        learning_rates: if given, a menu of learning rates (``learning_rate`` selected first).
        seed: the first seed in the seed box (initial weights and data stream).
        max_seconds: wall-clock limit of one run.
        window: the learning curve's running window.
        inspect: a function of the finished run returning an extra figure (a look inside).
        plot_options: extra keyword arguments of ``plot_live_run`` (e.g. ``error_bound``).

    Returns:
        A VBox: controls, a status line, then the figures.
    """
    if (slider is None) != (make_config is None):
        raise ValueError("slider and make_config go together: give both or neither")
    wide = dict(style={"description_width": "110px"}, layout=widgets.Layout(width="330px"))
    controls: list[widgets.Widget] = []
    param = None
    if slider is not None:
        label, lo, hi, step, value = slider
        param = int_slider(label, value, lo, hi, step=step, continuous_update=False, **wide)
        controls.append(param)
    seed_box = bounded_int("seed", seed, 0, 10_000, **wide)
    controls.append(seed_box)
    lr_menu = None
    if learning_rates is not None:
        options = sorted({float(x) for x in learning_rates} | {float(learning_rate)})
        lr_menu = widgets.Dropdown(options=options, value=float(learning_rate), description="learning rate", **wide)
        controls.append(lr_menu)
    button = widgets.Button(description="train", button_style="primary", icon="play")
    status = widgets.HTML(value="Press <b>train</b> to run the paper's protocol "
                                f"(at most {max_sequences:,} sequences or {max_seconds:g} s).")
    output = widgets.Output()

    def run_once() -> LiveRun:
        cfg = make_config(param.value) if param is not None else task_config
        lr = lr_menu.value if lr_menu is not None else learning_rate
        return live_paper_run(cfg, network, lr, max_sequences, seed=seed_box.value, max_seconds=max_seconds, p=p)

    def show(run: LiveRun) -> None:
        with output:
            output.clear_output(wait=True)
            plot_live_run(run.errors, run.correct, window=window, checks=run.checks, check_size=run.check_size,
                          criterion_at=run.sequences if run.solved else None, **(plot_options or {}))
            plt.show()
            if inspect is not None:
                inspect(run)
                plt.show()

    def train(_: Any = None) -> None:
        status.value = "training ..."
        run = report_errors(status, run_once, button=button)
        if run is None:
            return
        status.value = (f"{run.n_trained:,} sequences in {run.seconds:.1f} s; stopped by <b>{run.stopped_by}</b>"
                        + (f"; the paper's criterion met after {run.sequences:,} sequences" if run.solved else
                           "; the paper's criterion not met"))
        report_errors(status, lambda: show(run), what="drawing the run")

    button.on_click(train)
    return widgets.VBox([widgets.HBox([widgets.VBox(controls), button]), status, output])


def adding_inside_figure(net: LSTM1997, T: int, seed: int = 0) -> Figure:
    """One fresh adding-problem sequence through ``net``: inputs, y^in, s_c and the output."""
    batch = adding.generate(AddingConfig(T=T), 1, seed=seed)
    act = gate_activity(net, batch)
    marks = np.flatnonzero(adding_marked_steps(batch)[0])
    target = float(batch.targets[0, batch.lengths[0] - 1, 0])
    out = act.outputs[0, :, 0]
    return plot_trace({"input value": batch.inputs[0, :, 0], "input gates $y^{in}$": act.y_in[0],
                       "cell states $s_c$": act.s[0], "output $y^k$": out},
                      marks=marks, labels={"input gates $y^{in}$": [f"block {j + 1}" for j in range(act.y_in.shape[2])],
                                           "cell states $s_c$": [f"cell {c + 1}" for c in range(act.s.shape[2])]},
                      title=f"a test sequence: target {target:.3f}, output at the end {out[-1]:.3f}")


def adding_panel(T: int = 30, seed: int = 0, max_sequences: int = 150_000, max_seconds: float = 20.0,
                 T_range: tuple[int, int] = (20, 100)) -> widgets.Widget:
    """The adding problem, retrained live: a T slider, a seed box, the curve and the input gates."""
    lo, hi = T_range
    return live_run_panel(AddingConfig(T=T), "adding", adding.LEARNING_RATE, max_sequences,
                          slider=("T (min length)", lo, hi, 10 if (hi - lo) >= 40 else 1, T),
                          make_config=lambda value: AddingConfig(T=int(value)), seed=seed,
                          max_seconds=max_seconds, window=adding.RECENT_WINDOW,
                          inspect=lambda run: adding_inside_figure(run.model, run.task_config.T, seed=10_000 + run.seed),
                          plot_options={"error_bound": adding.ERROR_BOUND, "mean_error_bound": adding.STOP_MEAN_ERROR})


def reber_panel(net: LSTM1997, strings: Sequence[str], *, seed: int = 0) -> widgets.Widget:
    """Step through ``net``'s predictions on an embedded Reber string.

    A menu of ``strings``, a "sample" button (a fresh string from the grammar), a box to type
    one, and a step slider. The figure is :func:`plot_reber_predictions`; below it, the step's
    input, the allowed next symbols and the outputs ranked.
    """
    if len(strings) == 0:
        raise ValueError("strings must hold at least one embedded Reber string")
    wide = dict(style={"description_width": "70px"}, layout=widgets.Layout(width="330px"))
    menu = widgets.Dropdown(options=list(strings), value=strings[0], description="string", **wide)
    typed = widgets.Text(value="", placeholder="e.g. BTBTXSETE, then Enter", description="or type",
                         continuous_update=False, **wide)
    sample = widgets.Button(description="sample a string", icon="random")
    step = widgets.IntSlider(value=0, min=0, max=len(strings[0]) - 2, description="step", **wide)
    output = widgets.Output()
    rng = np.random.default_rng(seed)
    current = {"string": strings[0]}

    def show(*_: Any) -> None:
        s = current["string"]
        batch = reber.encode_strings([s])
        outputs = gate_activity(net, batch).outputs[0]
        allowed = batch.info["allowed_next"][0]
        t = min(step.value, len(s) - 2)
        with output:
            output.clear_output(wait=True)
            plot_reber_predictions(outputs, allowed, s, reber.SYMBOLS, step=t)
            plt.show()
            ranked = sorted(zip(outputs[t], reber.SYMBOLS), reverse=True)
            ok = outputs[t][allowed[t]].min() > outputs[t][~allowed[t]].max()
            print(f"step {t}: input {s[t]!r} (seen so far: {s[:t + 1]}); allowed next: "
                  f"{''.join(c for c, a in zip(reber.SYMBOLS, allowed[t]) if a)}; "
                  f"{'correct' if ok else 'WRONG'}")
            print("outputs, highest first: " + ", ".join(f"{c} {v:.2f}" for v, c in ranked))

    def use(s: str) -> None:
        current["string"] = s
        step.max = len(s) - 2
        step.value = min(step.value, step.max)
        show()

    def on_menu(change: dict) -> None:
        use(change["new"])

    def on_sample(_: Any) -> None:
        use(reber.sample_strings(reber.ReberConfig(), 1, rng)[0])

    def on_typed(change: dict) -> None:
        s = str(change["new"]).strip().upper()
        if not s:
            return
        if not reber.is_embedded_reber(s):
            with output:
                output.clear_output(wait=True)
                print(f"{s!r} is not an embedded Reber string (B, T or P, a Reber string, the same T or P, E)")
            return
        use(s)

    menu.observe(on_menu, names="value")
    step.observe(show, names="value")
    sample.on_click(on_sample)
    typed.observe(on_typed, names="value")
    show()
    return widgets.VBox([widgets.HBox([menu, sample]), typed, step, output])


def temporal_order_figure(net: LSTM1997, batch: SequenceBatch, class_names: Sequence[str], *,
                          name: str = "") -> Figure:
    """Sequence 0 of a temporal-order ``batch`` through ``net``: y^in, s_c and the outputs over time."""
    length = int(batch.lengths[0])
    act = gate_activity(net, batch.select([0]))
    pattern = "".join("XY"[int(v)] for v in batch.info["xy"][0])
    answer = class_names[int(np.argmax(act.outputs[0, length - 1]))]
    truth = class_names[int(batch.info["label"][0])]
    blocks, cells = act.y_in.shape[2], act.s.shape[2]
    return plot_trace(
        {"input gates $y^{in}$": act.y_in[0, :length], "cell states $s_c$": act.s[0, :length],
         "outputs $y^k$": act.outputs[0, :length]},
        marks=batch.info["positions"][0],
        labels={"input gates $y^{in}$": [f"block {j + 1}" for j in range(blocks)],
                "cell states $s_c$": [f"cell {c + 1}" for c in range(cells)],
                "outputs $y^k$": list(class_names)},
        title=(f"{name}: " if name else "") + f"class {truth} ({pattern}); largest output at the end: {answer}")


def temporal_order_panel(networks: Mapping[str, LSTM1997], config: Any, *, seed: int = 0) -> widgets.Widget:
    """Choose a class, a network and a sequence number; see the gates and states of that sequence.

    Args:
        networks: display name -> network (e.g. {"trained": net, "untrained": paper_network("6a")}).
        config: the temporal-order config (6a or 6b) the sequences are drawn from.
        seed: the first sequence number.
    """
    if not networks:
        raise ValueError("networks must name at least one network")
    names = list(config.class_names)
    cls = widgets.Dropdown(options=[(f"{n} ({p})", k) for k, (n, p) in
                                    enumerate(zip(names, _patterns(len(config.position_ranges))))],
                           value=0, description="class")
    net = widgets.Dropdown(options=list(networks), value=list(networks)[0], description="network")
    seq = int_slider("seed", seed, 0, 50, description="sequence", continuous_update=False)
    output = widgets.Output()

    def show(*_: Any) -> None:
        batch = sequence_of_class(config, cls.value, seed=seq.value)
        with output:
            output.clear_output(wait=True)
            temporal_order_figure(networks[net.value], batch, names, name=net.value)
            plt.show()

    for w in (cls, net, seq):
        w.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([cls, net, seq]), output])


def _patterns(k: int) -> list[str]:
    """X/Y patterns in class order: XX, XY, YX, YY (k = 2)."""
    return ["".join("XY"[(i >> (k - 1 - j)) & 1] for j in range(k)) for i in range(2 ** k)]
