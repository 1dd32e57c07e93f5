"""The loop chapter's panel: type a word, change the recurrent weight, watch the hidden state move."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

from lstm_core.dashboards.controls import float_slider
from lstm_core.model.baselines import VanillaRNN
from lstm_core.plots.rnn import plot_hidden_states, plot_state_paths
from lstm_core.tasks.base import one_hot

__all__ = ["MAX_WORD_LENGTH", "hidden_state_explorer"]

MAX_WORD_LENGTH = 12  # longest word the panel accepts


def _toy_rnn(weight_ih: np.ndarray, scale: float) -> VanillaRNN:
    """A 2-unit tanh RNN with W_xh = ``weight_ih``, W_hh = scale * I and no bias (float64)."""
    hidden, letters = weight_ih.shape
    model = VanillaRNN(letters, hidden, 1).double()
    with torch.no_grad():
        model.cell.weight_ih.copy_(torch.as_tensor(weight_ih, dtype=torch.float64))
        model.cell.weight_hh.copy_(scale * torch.eye(hidden, dtype=torch.float64))
        model.cell.bias_ih.zero_()
        model.cell.bias_hh.zero_()
    return model


def hidden_state_explorer(weight_ih: np.ndarray, alphabet: str, word: str = "CAT",
                          scale: float = 0.5) -> widgets.Widget:
    """A text box for a word and a slider for the W_hh scale; redraws h_1..h_T on every change.

    The network is h_t = tanh(W_xh x_t + s I h_{t-1}) with h_0 = 0, where x_t is the one-hot
    code of letter t and s the slider's value: a 2-unit tanh RNN with no bias.

    Args:
        weight_ih: (2, len(alphabet)) array, W_xh; column j is what letter ``alphabet[j]`` adds.
        alphabet: the letters, in the order of the columns of ``weight_ih``.
        word: the word shown at first.
        scale: the W_hh scale s shown at first, in [0, 2].

    Returns:
        A VBox with the controls above the two panels and the final state.

    Raises:
        ValueError: if ``weight_ih`` is not (2, len(alphabet)), the alphabet repeats a letter,
            or the first word or scale is not allowed.
    """
    weight_ih = np.asarray(weight_ih, dtype=float)
    if weight_ih.shape != (2, len(alphabet)) or len(set(alphabet)) != len(alphabet):
        raise ValueError(f"hidden_state_explorer: weight_ih must be (2, len(alphabet)) with distinct letters; "
                         f"got shape {weight_ih.shape} for alphabet {alphabet!r}")
    if not word or len(word) > MAX_WORD_LENGTH or set(word.upper()) - set(alphabet):
        raise ValueError(f"hidden_state_explorer: word must be 1..{MAX_WORD_LENGTH} letters of {alphabet!r}; "
                         f"got {word!r}")
    text = widgets.Text(value=word, description="word", continuous_update=False,
                        placeholder=f"letters of {alphabet}")
    slider = float_slider("scale", scale, 0.0, 2.0, step=0.05, description="W_hh scale",
                          style={"description_width": "initial"}, layout=widgets.Layout(width="360px"))

    def show(word: str, scale: float) -> None:
        word = word.strip().upper()
        wrong = sorted(set(word) - set(alphabet))
        if not word or wrong or len(word) > MAX_WORD_LENGTH:
            print(f"Type 1 to {MAX_WORD_LENGTH} letters from {alphabet}"
                  + (f" (not {', '.join(wrong)})." if wrong else "."))
            return
        x = one_hot(np.array([alphabet.index(c) for c in word]), len(alphabet))[None]  # (1, T, letters)
        states = torch.stack(_toy_rnn(weight_ih, scale).run(x).states, dim=1)[0].detach().numpy()  # (T, 2)
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
        plot_hidden_states(states, list(word), ax=left)
        plot_state_paths({word: states}, ax=right)
        fig.suptitle(f"W_hh = {scale:.2f} I")
        plt.show()
        print(f"h_{len(word)} = [{states[-1, 0]:+.3f}, {states[-1, 1]:+.3f}]")

    output = widgets.interactive_output(show, {"word": text, "scale": slider})
    return widgets.VBox([widgets.HBox([text, slider]), output])
