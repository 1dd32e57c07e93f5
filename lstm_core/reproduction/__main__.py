"""``python -m lstm_core.reproduction``: see :mod:`lstm_core.reproduction.cli`."""

from lstm_core.reproduction.cli import main

raise SystemExit(main())
