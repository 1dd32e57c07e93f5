"""The paper's experiments as data generators with their correctness and stopping criteria.

Pure numpy; no network code. One module per experiment (Hochreiter & Schmidhuber 1997, Sec. 5):

==================  =======================  ==================================================
experiment name     module                   task
==================  =======================  ==================================================
"reber"             :mod:`.reber`            Exp. 1, embedded Reber grammar
"2a", "2b", "2c"    :mod:`.long_lag`         Exp. 2, noise-free and noisy long-lag sequences
"3a", "3b", "3c"    :mod:`.noise_signal`     Exp. 3, noise and signal on one input line
"adding"            :mod:`.adding`           Exp. 4, the adding problem
"multiplication"    :mod:`.multiplication`   Exp. 5, the multiplication problem
"6a", "6b"          :mod:`.temporal_order`   Exp. 6, temporal order
==================  =======================  ==================================================

Every module offers the same interface:

* ``PAPER_CONFIGS``: frozen config dataclasses, one per row of the paper's tables;
* ``generate(config, n, seed) -> SequenceBatch`` (same arguments, same batch);
* ``sequence_correct(outputs, batch)`` and ``sequence_error(outputs, batch)``: per-sequence
  criterion and error, from outputs of shape (n, T_max, n_out) (numpy or torch);
* ``stopping_rule(config)``: the paper's stopping rule as a :class:`~.base.StoppingRule`.

Where the paper leaves a detail open we pick one and say so in :data:`CHOICES`.

>>> task = get_task("adding")
>>> config = paper_config("adding-T100")
>>> batch = task.generate(config, n=8, seed=0)
>>> batch.inputs.shape[0], batch.n_inputs, bool(task.sequence_correct(batch.targets, batch).all())
(8, 2, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from lstm_core.tasks import adding, long_lag, multiplication, noise_signal, reber, recall, temporal_order
from lstm_core.tasks.base import SequenceBatch, last_step_outputs, last_step_targets, pad_sequences
from lstm_core.tasks.stopping import RecentWindow, StoppingRule, SuccessiveCorrect, TestSetRule, st3

__all__ = ["Choice", "CHOICES", "TASKS", "DEFAULT_CONFIGS", "get_task", "paper_config",
           "paper_config_names", "SequenceBatch", "StoppingRule", "SuccessiveCorrect", "RecentWindow",
           "TestSetRule", "st3", "last_step_outputs", "last_step_targets", "pad_sequences", "adding",
           "long_lag", "multiplication", "noise_signal", "reber", "temporal_order", "recall"]

#: Experiment name -> module.
TASKS: dict[str, ModuleType] = {
    "reber": reber,
    "2a": long_lag,
    "2b": long_lag,
    "2c": long_lag,
    "3a": noise_signal,
    "3b": noise_signal,
    "3c": noise_signal,
    "adding": adding,
    "multiplication": multiplication,
    "6a": temporal_order,
    "6b": temporal_order,
    "recall": recall,  # ours, not the paper's: the delayed-recall task of chapter 3
}
_ALIASES = {"1": "reber", "4": "adding", "5": "multiplication"}  # the paper's experiment numbers

#: Experiment name -> the paper config used when only the experiment is named.
DEFAULT_CONFIGS: dict[str, str] = {
    "reber": "reber",
    "2a": "2a-p100",
    "2b": "2b-p100",
    "2c": "2c-q100-p100",
    "3a": "3a-T100-N3",
    "3b": "3b-T100-N3",
    "3c": "3c-T100-N3",
    "adding": "adding-T100",
    "multiplication": "multiplication-T100-nseq13",
    "6a": "6a",
    "6b": "6b",
}

_MODULES = (reber, long_lag, noise_signal, adding, multiplication, temporal_order)  # the paper's


def get_task(name: str) -> ModuleType:
    """The module of experiment ``name`` ("reber", "2a", ..., "6b"; also "1", "4", "5")."""
    key = _ALIASES.get(name, name)
    if key not in TASKS:
        raise ValueError(f"unknown experiment {name!r}; expected one of {sorted(TASKS)} "
                         f"(or aliases {sorted(_ALIASES)})")
    return TASKS[key]


def paper_config_names(experiment: str | None = None) -> list[str]:
    """Names of the paper configs, all or those of one experiment.

    >>> paper_config_names("adding")
    ['adding-T100', 'adding-T500', 'adding-T1000']
    """
    names = [name for module in _MODULES for name in module.PAPER_CONFIGS]
    if experiment is None:
        return names
    key = _ALIASES.get(experiment, experiment)
    get_task(key)
    return [name for name in names if paper_config(name).experiment == key]


def paper_config(name: str) -> Any:
    """The config of one table row ("adding-T500", "3b-T100-N1", "2c-q1000-p50", ...).

    An experiment name ("2c", "adding") gives its default row, see :data:`DEFAULT_CONFIGS`.

    >>> paper_config("3c-T100-N1")
    TwoSequenceConfig(variant='3c', T=100, N=1, noise_variance=0.2, target_noise_variance=0.1)
    """
    for module in _MODULES:
        if name in module.PAPER_CONFIGS:
            return module.PAPER_CONFIGS[name]
    key = _ALIASES.get(name, name)
    if key in DEFAULT_CONFIGS:
        return paper_config(DEFAULT_CONFIGS[key])
    known = [n for module in _MODULES for n in module.PAPER_CONFIGS]
    raise ValueError(f"unknown paper config {name!r}; expected one of {known} or an experiment name {sorted(TASKS)}")


@dataclass(frozen=True)
class Choice:
    """One place where the paper is open or ambiguous, and what this package does there."""

    experiment: str  # which experiment(s): "reber", "2c", "4, 5", "all", ...
    topic: str  # the detail in question, a few words
    paper_says: str  # what the paper (or its transcription) says, in our words
    we_chose: str  # what the code does
    why: str  # the reason


CHOICES: list[Choice] = [
    Choice(
        "reber, 2a, 2b", "Steps of a next-symbol sequence",
        "The net reads a string one symbol at a time and predicts the next symbol at every step.",
        "A string of m symbols gives m - 1 steps: the input is symbol t, the target symbol t + 1. "
        "The last symbol is a target only, never an input.",
        "After the last symbol there is nothing left to predict.",
    ),
    Choice(
        "reber", "Grammar table",
        "The automaton appears only as a figure (Figs. 3 and 4).",
        "The standard Reber automaton of Cleeremans et al. (1989), each branch with probability 0.5.",
        "It reproduces the published lists of legal strings and the paper's shortest string of 9 symbols.",
    ),
    Choice(
        "reber", "Duplicate strings",
        "256 random training strings and 256 test strings; strings already in the training set "
        "are not used for testing.",
        "Both sets are plain random draws, so either may repeat a string; a test string that occurs "
        "in the training set is redrawn.",
        "This is the literal reading. The short strings are common (BTBTXSETE alone has probability "
        "1/16), so forbidding repeats would change the length distribution.",
    ),
    Choice(
        "reber", "Ties between outputs",
        "Correct when the units of the possible next symbols are always the most active ones.",
        "At every step the smallest output among allowed symbols must be strictly greater than the "
        "largest output among the others; a tie counts as wrong.",
        "A tie does not single out the allowed symbols.",
    ),
    Choice(
        "2a, 2b, 2c", "Counting the 10,000 successful sequences",
        "A run succeeds if, after training, the error stays below the bound during 10,000 "
        "successive randomly chosen sequences. Table 2 reports success after 5,040 sequences for 2a.",
        "The rule counts a run of successive correct sequences in whatever stream it is fed "
        "(training stream or a frozen-weight test stream). Its success_after is the number of "
        "sequences before that run began.",
        "5,040 is less than 10,000, so the paper's count cannot include the 10,000 checked sequences.",
    ),
    Choice(
        "2a, 2b, 2c", "Which steps are judged",
        "2a: maximal absolute error of all output units below 0.25. 2b: the same at the sequence "
        "end. 2c: error of both outputs for the final element below 0.2.",
        "2a: every step and every output unit. 2b and 2c: the last step only. 2b still has error "
        "at every step during training (target_mask on everywhere).",
        "In 2a every target is predictable; in 2b only the final x/y is.",
    ),
    Choice(
        "2b", "The random middle",
        "The deterministic middle of 2a is replaced by a random subsequence of length p - 1 over "
        "a_1 ... a_{p-1}.",
        "Each middle symbol is drawn independently and uniformly from a_1 ... a_{p-1}.",
        "The simplest distribution over the set the paper defines.",
    ),
    Choice(
        "2c", "Continue probability",
        "One copy of the text says extra distractors come with probability 9/10 and e with 1/10; "
        "another reads 1/10 for both.",
        "9/10 (the config field p_continue, default 0.9).",
        "Only 9/10 gives a mean length near the paper's q + 14; with 1/10 it would be about q + 4.1.",
    ),
    Choice(
        "2c", "Expected length",
        "Minimal length q + 4; expected length 4 + sum_k (1/10)(9/10)^k (q + k) = q + 14.",
        "The process as described: q + 4 + k symbols with P(k) = (1/10)(9/10)^k, k >= 0, so the "
        "minimum is q + 4 and the mean q + 13.",
        "The paper's own sum equals q + 13, not q + 14 (sum_k (1/10)(9/10)^k k = 9). A mean of "
        "q + 14 would need k >= 1, which contradicts the minimum of q + 4.",
    ),
    Choice(
        "2c", "Range of the distractor index",
        "The set definitions write 1 <= i <= q for the distractor indices.",
        "Distractors are drawn uniformly from all p symbols a_1 ... a_p.",
        "There are only p distractor symbols (q may exceed p), and Table 3's q/p column is the "
        "expected count of each symbol, which needs p symbols. 'q' is read as a typo for 'p'.",
    ),
    Choice(
        "2c", "Sequence length and output code",
        "Minimal sequence length q + 4 symbols; 2 output units.",
        "lengths counts input steps, q + k + 3 (b, x|y, q + k distractors, e); the final x|y is "
        "the target after e. Output 0 stands for x, output 1 for y; the target is one-hot.",
        "The last symbol is what the net predicts, not an input; the paper does not fix the code "
        "of the two outputs.",
    ),
    Choice(
        "3a, 3b, 3c, 4, 5", "Length range",
        "Sequence length randomly chosen between T and T + T/10.",
        "Uniform over the integers T, ..., T + T // 10, both ends included.",
        "'Between' read inclusively; T/10 rounded down when T is not a multiple of 10.",
    ),
    Choice(
        "3c", "Signal elements and target noise",
        "Like 3a, but targets 0.2 / 0.8 with Gaussian noise of variance 0.1; misclassified if the "
        "output is more than 0.1 from the noise-free target.",
        "The first N inputs are +-1 without noise (as in 3a). The target noise is drawn once per "
        "sequence and kept in targets; info['clean_target'] holds the noise-free target used by "
        "the criteria.",
        "3c is defined as 3a with changed targets; only 3b puts noise on the signal elements.",
    ),
    Choice(
        "4, 5", "A marked first pair",
        "'In the rare case where the first pair gets marked, we set X1 to zero' (adding; 1.0 in "
        "the multiplication problem).",
        "Whichever of the two marked pairs is the first pair gets value 0 (adding) or 1.0 "
        "(multiplication), and its marker stays 1.0, not -1.",
        "The X2 draw can also land on the first pair. 0 and 1.0 are the neutral elements of the "
        "sum and the product, so the value is neutralised whichever draw marked it. The -1 goes to "
        "the 'remaining' (unmarked) pairs only.",
    ),
    Choice(
        "4, 5", "Position of X2",
        "X2 is one of the first T/2 - 1 still unmarked pairs.",
        "Uniform over the first T // 2 - 1 pairs other than X1, so X2 may come before X1.",
        "The literal rule; the target is symmetric in X1 and X2.",
    ),
    Choice(
        "4, 6a, 6b", "Average training error in ST3",
        "ST3(beta): average training error below beta and the 2000 most recent sequences "
        "processed correctly.",
        "The mean, over the same 2000 most recent sequences, of each sequence's absolute error at "
        "its end (for 6a/6b averaged over the output units). Squared errors are available with "
        "kind='squared'.",
        "With squared errors, 2000 correct adding sequences (each error < 0.04) would already give "
        "an average below 0.0016, so the bound 0.01 would never matter. Experiments 3 and 5 also "
        "judge absolute errors.",
    ),
    Choice(
        "5", "Fewer than n_seq wrong",
        "Test once fewer than n_seq of the 2000 most recent training sequences have error > 0.04.",
        "The rule needs at least 2000 sequences and allows n_seq - 1 wrong among the last 2000; "
        "'wrong' is the opposite of correct (error >= 0.04).",
        "'The 2000 most recent' presumes 2000 have been seen; an error of exactly 0.04 has "
        "probability zero.",
    ),
    Choice(
        "6a, 6b", "Counting positions",
        "t1 in [10, 20], t2 in [50, 60] (6b: [10, 20], [33, 43], [66, 76]); length in [100, 110].",
        "Positions count from 1 at the leading E; info['positions'] stores the 0-based step t - 1.",
        "Table 10 gives minimal lags 40 (6a) and 24 (6b) = 100 - 60 and 100 - 76, which holds when "
        "both the positions and the length count from 1.",
    ),
    Choice(
        "6a, 6b", "Symbol and class coding",
        "8 input units, local codes, one output unit per class; X or Y at each relevant position.",
        "Input units in the order E, B, a, b, c, d, X, Y; output units in the order Q, R, S, U "
        "(6b: Q, R, S, U, V, A, B, C); X and Y with probability 0.5 each, fillers uniform.",
        "The paper fixes no unit order; its class list reads as a binary count with X = 0, Y = 1.",
    ),
]
