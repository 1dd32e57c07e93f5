"""The reproduction of the paper's result tables: ``python -m lstm_core.reproduction EXPERIMENT``.

    paper       the 1997 paper's result tables as data (what it printed)
    literature  what other papers report: Gers et al. (2000)'s Table 2, the history timeline
    rows        every row we reproduce: task, network, learning rate, trials, budget; our protocol choices; row_network
    run         running a row by the paper's online protocol: a RowResult of TrialResults
    results     the results store: shipped results (``data/``), safe merging, per-trial checkpoints
    tables      the paper beside ours, where we fall short, the choices we made (Markdown)
    readings    the paper's ambiguous points as named options of a row ("step", "igb-neg", "lr-x0.5", ...)
    ablation    a row run under a reading, stored in data/ablations.json (python -m lstm_core.reproduction.ablation)
    verdicts    reproduced / slower than the paper / not reproduced, per row, computed from the results
    cli         the command line
"""
