"""The 1997 paper's result tables as data, for side-by-side comparisons in the book.

Every number here is the one Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*,
Neural Computation 9(8):1735-1780, print in Section 5 (Tables 1-10); :data:`TABLES` also
renders Table 2 of Gers, Schmidhuber & Cummins (2000), *Learning to Forget*, kept in
:mod:`lstm_core.reproduction.literature` with the rest of what other papers report. The wording of titles and notes
is ours. Nothing in this module is computed: it is the paper's record, and the tests check
that the record is internally consistent (weight counts, lags, percentages).

How a row is organised
----------------------
=====================  ===========================================================
field                  holds
=====================  ===========================================================
``table``              key of the table in :data:`TABLES` ("1", "2", "2b", ..., "9")
``experiment``         the paper's experiment label ("1", "2a", "3b", "6a", ...)
``method``             "LSTM", or the baseline: "RTRL", "BPTT", "ELM", "RCC", "CH"
``setting``            the task and architecture parameters the row prints or the
                       text states for it (p, q, T, N, lag, blocks, cells_per_block)
``n_weights``          number of weights ("#w")
``learning_rate``      the learning rate alpha
``success_rate``       percent of trials that met the stopping criterion
``sequences_to_success``  training sequences until success (mean over trials)
``test_wrong_of_2560``    misclassified sequences in the 2560-sequence test
``results``            any other result column (``st1_sequences``, ``fraction_wrong``,
                       ``test_mse``, ...)
``trials``             number of trials the row averages over, where stated
``notes``              the paper's remarks about the row, in our words
=====================  ===========================================================

Cells that are not one plain number (``"~170"``, ``"7-9"``, ``"> 5,000,000"``) are
:class:`Reported` values; a dash in the paper is ``None``.

Worked example
--------------
>>> row = TABLE_3[0]
>>> row.setting["q"], row.setting["p"], row.n_weights, row.sequences_to_success
(50, 50, 364, 30000)
>>> print(as_markdown("9").splitlines()[2])
| 6a | 156 | 1 | 31,390 | 20 |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Callable, Iterator, Literal, Mapping, Union

from lstm_core.reproduction.literature import GERS_2000, ForgetRow

__all__ = [
    "Reported", "PaperRow", "BiasSpec", "GateBiasRow", "PaperTable", "TABLE_1", "TABLE_2", "TABLE_2B",
    "TABLE_3", "TABLE_4", "TABLE_5", "TABLE_6", "TABLE_7", "TABLE_8", "TABLE_9", "TABLE_10", "TABLES",
    "get_table", "as_markdown", "format_value",
]

Number = Union[int, float]


# Value types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """A table cell that is not one plain number: approximate, a range, or a lower bound.

    Examples: ``Reported(170, approx=True)`` is "~170", ``Reported(7, 9)`` is "7-9",
    ``Reported(5_000_000, more_than=True)`` is "> 5,000,000" (the runs were stopped
    before reaching success).
    """

    low: Number  # the number, or the low end of a range
    high: Number | None = None  # the high end of a range; None for a single number
    approx: bool = False  # printed with "~" (approximately)
    more_than: bool = False  # printed with ">": a lower bound, not a measurement

    def __post_init__(self) -> None:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"Reported range is reversed: low={self.low}, high={self.high}; expected low <= high")
        if self.more_than and self.high is not None:
            raise ValueError("Reported: a lower bound ('>') cannot also be a range; expected high=None")

    def __str__(self) -> str:
        text = format_value(self.low)
        if self.high is not None:
            text += "–" + format_value(self.high)
        if self.approx:
            text = "≈" + text
        if self.more_than:
            text = ">" + text
        return text


Cell = Union[Number, Reported, None]
Setting = Union[Number, str, Reported]


def format_value(value: object) -> str:
    """Render one cell as the paper prints it: thousands separators, a dash for ``None``.

    >>> format_value(39740), format_value(0.5), format_value(None), format_value(Reported(7, 9))
    ('39,740', '0.5', '–', '7–9')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")  # positional, as printed: 7.8e-05 -> 0.000078
    if isinstance(value, tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _frozen(mapping: Mapping[str, object] | None) -> Mapping[str, object]:
    """A read-only copy of ``mapping`` (frozen rows must not share a mutable dict)."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class PaperRow:
    """One row of one of the paper's result tables (see the module docstring for the fields)."""

    table: str  # key in TABLES, e.g. "1", "2b", "7"
    experiment: str  # the paper's experiment label, e.g. "1", "2a", "3c", "6b"
    method: str  # "LSTM" or a baseline: "RTRL", "BPTT", "ELM", "RCC", "CH"
    setting: Mapping[str, Setting] = field(default_factory=dict, hash=False)  # task/architecture parameters
    n_weights: Cell = None  # number of weights, "#w"
    learning_rate: Cell = None  # learning rate alpha
    success_rate: Cell = None  # percent of trials that met the stopping criterion
    sequences_to_success: Cell = None  # training sequences until success (mean over trials)
    sequences_range: tuple[int, int] | None = None  # min and max over trials, where the paper gives them
    test_wrong_of_2560: Cell = None  # misclassified sequences in the 2560-sequence test set
    results: Mapping[str, Cell] = field(default_factory=dict, hash=False)  # other result columns
    trials: int | None = None  # number of trials the row summarises, where stated
    notes: str = ""  # the paper's remarks about this row, in our words

    def __post_init__(self) -> None:
        object.__setattr__(self, "setting", _frozen(self.setting))
        object.__setattr__(self, "results", _frozen(self.results))


# Gate biases (Table 10) -----------------------------------------------------

BiasKind = Literal["fixed", "random", "none", "no gate"]


@dataclass(frozen=True)
class BiasSpec:
    """How the gates of one kind (input or output) are biased in one task.

    ``kind`` is "fixed" (one bias per block, ``values``), "random" (the paper's "r":
    drawn from [-0.1, 0.1]), "none" (the gate has no bias weight) or "no gate".
    """

    kind: BiasKind  # fixed / random / none / no gate
    values: tuple[float, ...] = ()  # one bias per block, for kind == "fixed"
    optional: tuple[float, ...] = ()  # printed in parentheses: biases of blocks only some nets have

    def __post_init__(self) -> None:
        if self.kind not in ("fixed", "random", "none", "no gate"):
            raise ValueError(f"BiasSpec kind {self.kind!r}; expected 'fixed', 'random', 'none' or 'no gate'")
        if (self.kind == "fixed") != bool(self.values):
            raise ValueError("BiasSpec: values must be given exactly when kind == 'fixed'")

    def __str__(self) -> str:
        if self.kind == "random":
            return "r"
        if self.kind == "none":
            return "none"
        if self.kind == "no gate":
            return "no gate"
        text = ", ".join(f"{v:g}" for v in self.values)
        if self.optional:
            text += " (, " + ", ".join(f"{v:g}" for v in self.optional) + ")"
        return text


@dataclass(frozen=True)
class GateBiasRow:
    """One row of Table 10: gate biases, which units have biases, and the learning rate(s)."""

    task: str  # the paper's experiment label(s), e.g. "1", "2a/2b", "3a/3b/3c"
    output_gate_bias: BiasSpec  # "ogb"
    input_gate_bias: BiasSpec  # "igb"
    bias_units: str  # which units have a bias weight, e.g. "gates only", "all hidden"
    learning_rates: tuple[float, ...]  # alpha, one per sub-task in the order of `task`
    notes: str = ""  # remarks, in our words


# Tables ---------------------------------------------------------------------

Row = Union[PaperRow, GateBiasRow, ForgetRow]


@dataclass(frozen=True)
class PaperTable:
    """A named table: its rows, how to render them, and where it comes from."""

    name: str  # key in TABLES
    title: str  # a short title, ours
    source: str  # where in which paper
    columns: tuple[tuple[str, Callable[[Row], object]], ...]  # (header, getter) per rendered column
    rows: tuple[Row, ...]  # the rows, in the paper's order
    notes: str = ""  # the caption's and text's remarks, in our words

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# Table 1: embedded Reber grammar (Sec. 5.1) ---------------------------------------------

_REBER = "1"
TABLE_1: tuple[PaperRow, ...] = (
    PaperRow("1", _REBER, "RTRL", {"hidden_units": 3}, Reported(170, approx=True), 0.05, None, 173_000,
             notes="from Smith & Zipser (1989); success for 'some fraction' of trials"),
    PaperRow("1", _REBER, "RTRL", {"hidden_units": 12}, Reported(494, approx=True), 0.1, None, 25_000,
             notes="from Smith & Zipser (1989); success for 'some fraction' of trials"),
    PaperRow("1", _REBER, "ELM", {"hidden_units": 15}, Reported(435, approx=True), None, 0,
             Reported(200_000, more_than=True), notes="Elman net, from Cleeremans et al. (1989)"),
    PaperRow("1", _REBER, "RCC", {"hidden_units": Reported(7, 9)}, Reported(119, 198, approx=True), None, 50,
             182_000, notes="recurrent cascade-correlation, from Fahlman (1991)"),
    PaperRow("1", _REBER, "LSTM", {"blocks": 4, "cells_per_block": 1}, 264, 0.1, 100, 39_740, trials=30),
    PaperRow("1", _REBER, "LSTM", {"blocks": 3, "cells_per_block": 2}, 276, 0.1, 100, 21_730, trials=30),
    PaperRow("1", _REBER, "LSTM", {"blocks": 3, "cells_per_block": 2}, 276, 0.2, 97, 14_060, trials=30),
    PaperRow("1", _REBER, "LSTM", {"blocks": 4, "cells_per_block": 1}, 264, 0.5, 97, 9_500, trials=30),
    PaperRow("1", _REBER, "LSTM", {"blocks": 3, "cells_per_block": 2}, 276, 0.5, 100, 8_440,
             sequences_range=(3_800, 24_100), trials=30,
             notes="the number of sequences ranged from 3,800 to 24,100 over the trials"),
)

# Table 2: experiment 2a, noise-free sequences with long lags; 2b from the text ----------

_LR_1_TO_10 = Reported(1.0, 10.0)
_STOPPED = Reported(5_000_000, more_than=True)  # runs stopped after 5M sequences without success
TABLE_2: tuple[PaperRow, ...] = (
    PaperRow("2", "2a", "RTRL", {"p": 4}, 36, 1.0, 78, 1_043_000),
    PaperRow("2", "2a", "RTRL", {"p": 4}, 36, 4.0, 56, 892_000),
    PaperRow("2", "2a", "RTRL", {"p": 4}, 36, 10.0, 22, 254_000),
    PaperRow("2", "2a", "RTRL", {"p": 10}, 144, _LR_1_TO_10, 0, _STOPPED),
    PaperRow("2", "2a", "RTRL", {"p": 100}, 10_404, _LR_1_TO_10, 0, _STOPPED),
    PaperRow("2", "2a", "BPTT", {"p": 100}, 10_404, _LR_1_TO_10, 0, _STOPPED),
    PaperRow("2", "2a", "CH", {"p": 100}, 10_506, 1.0, 33, 32_400, notes="the neural sequence chunker"),
    PaperRow("2", "2a", "LSTM", {"p": 100, "blocks": 1, "cells_per_block": 1}, 10_504, 1.0, 100, 5_040,
             trials=18,
             notes="one cell with an input gate, no output gate, no biases; g = sigmoid, h = identity; "
                   "connectivity 'B'"),
)

TABLE_2B: tuple[PaperRow, ...] = (
    PaperRow("2b", "2b", "LSTM", {"p": 100}, None, None, 100, 5_680, trials=18,
             notes="stated in the text, not in a table; the chunker, BPTT and RTRL all failed"),
)

# Table 3: experiment 2c, very long lags with many distractors (LSTM only) ---------------


def _row_2c(q: int, p: int, n_weights: int, sequences: int) -> PaperRow:
    """A Table 3 row; 2 blocks of 1 cell, no biases, lr 0.01 and 20 trials (Sec. 5.2, 2c)."""
    setting = {"q": q, "p": p, "q/p": q // p, "blocks": 2, "cells_per_block": 1}
    return PaperRow("3", "2c", "LSTM", setting, n_weights, 0.01, None, sequences, trials=20)


TABLE_3: tuple[PaperRow, ...] = (
    _row_2c(50, 50, 364, 30_000),
    _row_2c(100, 100, 664, 31_000),
    _row_2c(200, 200, 1_264, 33_000),
    _row_2c(500, 500, 3_064, 38_000),
    _row_2c(1000, 1000, 6_064, 49_000),
    _row_2c(1000, 500, 3_064, 49_000),
    _row_2c(1000, 200, 1_264, 75_000),
    _row_2c(1000, 100, 664, 135_000),
    _row_2c(1000, 50, 364, 203_000),
)

# Tables 4-6: experiment 3, noise and signal on the same input line ----------------------

_EXP3_NET = {"blocks": 3, "cells_per_block": 1}


def _row_3(table: str, experiment: str, T: int, N: int, st1: int | None, stop: int,
           fraction_wrong: float, lr: float, *, trials: int | None = None, notes: str = "",
           **extra: float) -> PaperRow:
    """A Table 4/5/6 row: 3 blocks of 1 cell, 102 weights."""
    results: dict[str, Cell] = {"st1_sequences": st1, "fraction_wrong": fraction_wrong, **extra}
    return PaperRow(table, experiment, "LSTM", {"T": T, "N": N, **_EXP3_NET}, 102, lr, None, stop,
                    results=results, trials=trials, notes=notes)


TABLE_4: tuple[PaperRow, ...] = (
    _row_3("4", "3a", 100, 3, 27_380, 39_850, 0.000195, 1.0, trials=10),
    _row_3("4", "3a", 100, 1, 58_370, 64_330, 0.000117, 1.0, trials=10),
    _row_3("4", "3a", 1000, 3, 446_850, 452_460, 0.000078, 1.0, trials=10),
)

TABLE_5: tuple[PaperRow, ...] = (
    _row_3("5", "3b", 100, 3, 41_740, 43_250, 0.00828, 1.0),
    _row_3("5", "3b", 100, 1, 74_950, 78_430, 0.01500, 1.0),
    _row_3("5", "3b", 1000, 1, 481_060, 485_080, 0.01207, 1.0),
)

TABLE_6: tuple[PaperRow, ...] = (
    _row_3("6", "3c", 100, 3, None, 269_650, 0.00558, 0.1, mean_abs_difference=0.014,
           notes="average difference to the mean target 0.014"),
    _row_3("6", "3c", 100, 1, None, 565_640, 0.00441, 0.1, mean_abs_difference=0.012,
           notes="average difference to the mean target 0.012"),
)

# Table 7: experiment 4, the adding problem ----------------------------------------------

_EXP4_NET = {"blocks": 2, "cells_per_block": 2}
TABLE_7: tuple[PaperRow, ...] = (
    PaperRow("7", "4", "LSTM", {"T": 100, "min_lag": 50, **_EXP4_NET}, 93, 0.5, None, 74_000,
             test_wrong_of_2560=1, trials=10),
    PaperRow("7", "4", "LSTM", {"T": 500, "min_lag": 250, **_EXP4_NET}, 93, 0.5, None, 209_000,
             test_wrong_of_2560=0, trials=10),
    PaperRow("7", "4", "LSTM", {"T": 1000, "min_lag": 500, **_EXP4_NET}, 93, 0.5, None, 853_000,
             sequences_range=(370_000, 2_020_000), test_wrong_of_2560=1, trials=10,
             notes="sequences ranged from 370,000 to 2,020,000; more than 700,000 in only 3 runs"),
)

# Table 8: experiment 5, multiplication --------------------------------------------------

TABLE_8: tuple[PaperRow, ...] = (
    PaperRow("8", "5", "LSTM", {"T": 100, "min_lag": 50, "n_seq": 140, **_EXP4_NET}, 93, 0.1, None, 482_000,
             test_wrong_of_2560=139, results={"test_mse": 0.0223}, trials=10,
             notes="the text: average test error always below 0.026, at most 170 wrong"),
    PaperRow("8", "5", "LSTM", {"T": 100, "min_lag": 50, "n_seq": 13, **_EXP4_NET}, 93, 0.1, None, 1_273_000,
             test_wrong_of_2560=14, results={"test_mse": 0.0139}, trials=10,
             notes="the text: average test error always below 0.013, at most 15 wrong"),
)

# Table 9: experiment 6, temporal order --------------------------------------------------

TABLE_9: tuple[PaperRow, ...] = (
    PaperRow("9", "6a", "LSTM", {"blocks": 2, "cells_per_block": 2}, 156, 0.5, None, 31_390,
             test_wrong_of_2560=1, trials=20),
    PaperRow("9", "6b", "LSTM", {"blocks": 3, "cells_per_block": 2}, 308, 0.1, None, 571_100,
             test_wrong_of_2560=2, trials=10),
)

# Table 10: gate biases and learning rates -----------------------------------------------

_R = BiasSpec("random")
_NONE = BiasSpec("none")
TABLE_10: tuple[GateBiasRow, ...] = (
    GateBiasRow("1", BiasSpec("fixed", (-1.0, -2.0, -3.0), optional=(-4.0,)), _R, "gates only", (0.1, 0.2, 0.5),
                notes="the text gives -1, -2, -3; the fourth bias belongs to the net with 4 blocks"),
    GateBiasRow("2a/2b", BiasSpec("no gate"), _NONE, "none", (1.0,)),
    GateBiasRow("2c", _NONE, _NONE, "none", (0.01,)),
    GateBiasRow("3a/3b/3c", BiasSpec("fixed", (-2.0, -4.0, -6.0)), BiasSpec("fixed", (-1.0, -3.0, -5.0)),
                "all hidden", (1.0, 1.0, 0.1)),
    GateBiasRow("4", _R, BiasSpec("fixed", (-3.0, -6.0)), "all non-input", (0.5,)),
    GateBiasRow("5", _R, _R, "all", (0.1,)),
    GateBiasRow("6a", _R, BiasSpec("fixed", (-2.0, -4.0)), "all", (0.5,)),
    GateBiasRow("6b", _R, BiasSpec("fixed", (-2.0, -4.0, -6.0)), "all", (0.1,)),
)

# The registry and renderers -------------------------------------------------------------


def _setting(key: str) -> Callable[[Row], object]:
    return lambda row: row.setting.get(key)  # type: ignore[union-attr]


def _result(key: str) -> Callable[[Row], object]:
    return lambda row: row.results.get(key)  # type: ignore[union-attr]


def _architecture(row: Row) -> object:
    s = row.setting  # type: ignore[union-attr]
    if "blocks" in s:
        size = s["cells_per_block"]
        return f"{s['blocks']} blocks of size {size}"
    return s.get("hidden_units")


_METHOD = ("method", lambda r: r.method)
_W = ("#w", lambda r: r.n_weights)
_LR = ("lr", lambda r: r.learning_rate)
_SUCCESS = ("% success", lambda r: r.success_rate)
_AFTER = ("success after", lambda r: r.sequences_to_success)
_WRONG = ("# wrong / 2560", lambda r: r.test_wrong_of_2560)

_TABLES: tuple[PaperTable, ...] = (
    PaperTable("1", "Embedded Reber grammar", "Hochreiter & Schmidhuber (1997), Table 1, Sec. 5.1",
               (_METHOD, ("hidden units", _architecture), _W, _LR, _SUCCESS, _AFTER), TABLE_1,
               "RTRL results are from Smith & Zipser (1989), ELM from Cleeremans et al. (1989), RCC from "
               "Fahlman (1991). LSTM: 3 train/test set pairs times 10 seeds = 30 trials per row; only two "
               "failures in 150 trials. Without output gates, learning was not fast."),
    PaperTable("2", "Noise-free sequences with long time lags (2a)",
               "Hochreiter & Schmidhuber (1997), Table 2, Sec. 5.2",
               (_METHOD, ("p", _setting("p")), _LR, _W, _SUCCESS, _AFTER), TABLE_2,
               "Runs stopped after 5 million sequences. Success: maximal absolute output error below 0.25 "
               "over 10,000 successive sequences. LSTM: 18 trials."),
    PaperTable("2b", "Sequences with a random middle (2b)", "Hochreiter & Schmidhuber (1997), Sec. 5.2 text",
               (_METHOD, ("p", _setting("p")), _SUCCESS, _AFTER, ("trials", lambda r: r.trials)), TABLE_2B,
               "Reported in the text; the chunker, BPTT and RTRL failed on this task."),
    PaperTable("3", "Very long lags with distractors (2c)", "Hochreiter & Schmidhuber (1997), Table 3, Sec. 5.2",
               (("q (lag-1)", _setting("q")), ("p", _setting("p")), ("q/p", _setting("q/p")), _W, _AFTER),
               TABLE_3, "LSTM only: 2 blocks of size 1, no biases, lr 0.01, 20 trials."),
    PaperTable("4", "Two-sequence problem (3a)", "Hochreiter & Schmidhuber (1997), Table 4, Sec. 5.3",
               (("T", _setting("T")), ("N", _setting("N")), ("ST1", _result("st1_sequences")),
                ("ST2", _AFTER[1]), _W, ("fraction wrong (2560)", _result("fraction_wrong"))), TABLE_4,
               "3 blocks of size 1, lr 1.0, 10 trials. Random guessing solves this task faster."),
    PaperTable("5", "Two-sequence problem with noisy signal (3b)",
               "Hochreiter & Schmidhuber (1997), Table 5, Sec. 5.3",
               (("T", _setting("T")), ("N", _setting("N")), ("ST1", _result("st1_sequences")),
                ("ST2", _AFTER[1]), _W, ("fraction wrong (2560)", _result("fraction_wrong"))), TABLE_5,
               "ST1: fewer than 6 of 256 test sequences wrong; ST2: also mean absolute error below 0.04."),
    PaperTable("6", "Noisy real-valued targets (3c)", "Hochreiter & Schmidhuber (1997), Table 6, Sec. 5.3",
               (("T", _setting("T")), ("N", _setting("N")), ("stop", _AFTER[1]), _W,
                ("fraction wrong (2560)", _result("fraction_wrong")),
                ("avg. difference to mean", _result("mean_abs_difference"))), TABLE_6,
               "Stop at 0 of 256 wrong and mean absolute difference below 0.015; lr 0.1."),
    PaperTable("7", "Adding problem (4)", "Hochreiter & Schmidhuber (1997), Table 7, Sec. 5.4",
               (("T", _setting("T")), ("min lag", _setting("min_lag")), _W, _WRONG, _AFTER), TABLE_7,
               "Means of 10 trials; 2 blocks of size 2, lr 0.5. For T = 1000 the number of sequences ranged "
               "from 370,000 to 2,020,000 and exceeded 700,000 in only 3 runs."),
    PaperTable("8", "Multiplication (5)", "Hochreiter & Schmidhuber (1997), Table 8, Sec. 5.5",
               (("T", _setting("T")), ("lag", _setting("min_lag")), _W, ("n_seq", _setting("n_seq")), _WRONG,
                ("test MSE", _result("test_mse")), _AFTER), TABLE_8,
               "10 trials, lr 0.1. The text: average test error always below 0.026 (0.013), with at most "
               "170 (15) wrong."),
    PaperTable("9", "Temporal order (6a, 6b)", "Hochreiter & Schmidhuber (1997), Table 9, Sec. 5.6",
               (("task", lambda r: r.experiment), _W, _WRONG, _AFTER, ("trials", lambda r: r.trials)), TABLE_9,
               "Stop: average training error below 0.1 and the last 2000 sequences correct."),
    PaperTable("10", "Gate biases and learning rates", "Hochreiter & Schmidhuber (1997), Table 10",
               (("task", lambda r: r.task), ("ogb", lambda r: r.output_gate_bias),
                ("igb", lambda r: r.input_gate_bias), ("bias units", lambda r: r.bias_units),
                ("α", lambda r: "/".join(format_value(a) for a in r.learning_rates))), TABLE_10,
               "'r' means random in [-0.1, 0.1]. The caption's activation ranges for g and h look swapped; "
               "the text and App. A.1 give h in [-1, 1] and g in [-2, 2]."),
    PaperTable("gers2000", "Continual embedded Reber grammar, with and without forget gates",
               "Gers, Schmidhuber & Cummins (2000), Table 2",
               (("algorithm", lambda r: r.algorithm),
                ("% perfect (training streams)", lambda r: f"{r.perfect_percent}"
                 + (f" ({format_value(r.training_streams)})" if r.training_streams is not None else "")),
                ("% good", lambda r: r.good_percent), ("% rest", lambda r: r.rest_percent)), GERS_2000,
               "100 networks per row, no resets between strings. Perfect: 10 test streams of 100,000 symbols "
               "predicted without error. Good: average error-free run longer than 1000 symbols. Elsewhere "
               "(p. 17): on noisy temporal order, a forget-gate bias of 5.0 learns as fast as standard LSTM, "
               "a bias of 1.0 takes about 3 times longer."),
)

TABLES: Mapping[str, PaperTable] = MappingProxyType({t.name: t for t in _TABLES})


def get_table(table_name: str) -> PaperTable:
    """The table named ``table_name`` ("1", "2", "2b", "3", ..., "10", "gers2000").

    Raises ValueError for an unknown name, listing the known ones.
    """
    key = str(table_name)
    if key not in TABLES:
        raise ValueError(f"unknown table {table_name!r}; expected one of {', '.join(TABLES)}")
    return TABLES[key]


def as_markdown(table_name: str) -> str:
    """The table as a Markdown pipe table, one line per row, followed by its source and notes.

    >>> print(as_markdown("2b"))  # doctest: +NORMALIZE_WHITESPACE
    | method | p | % success | success after | trials |
    |---|---|---|---|---|
    | LSTM | 100 | 100 | 5,680 | 18 |
    <BLANKLINE>
    Source: Hochreiter & Schmidhuber (1997), Sec. 5.2 text. Reported in the text; the chunker, BPTT and RTRL failed on this task.
    """
    table = get_table(table_name)
    headers = [header for header, _ in table.columns]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in table.rows:
        cells = [format_value(getter(row)).replace("|", "\\|") for _, getter in table.columns]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Source: {table.source}. {table.notes}".rstrip()]
    return "\n".join(lines)
