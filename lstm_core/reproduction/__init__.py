"""The reproduction of the paper's result tables: ``python -m lstm_core.reproduction EXPERIMENT``.

    paper     the paper's result tables as data
    protocol  every reproduced row and how it is run (the paper's online protocol)
    report    shipped results (``data/``) and the side-by-side tables
    cli       the command line
"""
