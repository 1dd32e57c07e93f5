"""Checks that teach: every exercise's check, importable as ``lstm_core.check.<name>``.

A chapter calls ``check.cec_update(my_cec_update)`` after an exercise; the check runs the answer
against ``lstm_core``'s reference on several cases and returns a report that says what is right,
what is wrong and, for a known wrong answer, a hint. The engine (:mod:`lstm_core.check.engine`)
also stops an answer that loops and says "not answered yet" for a stub.

The checks are grouped by the idea they test, with the topic names of :mod:`lstm_core.analysis`:

====================  =========================================================================
module                checks
====================  =========================================================================
:mod:`.model`         ``count_weights`` (Table 10), ``paper_squashers`` (g and h)
:mod:`.gradients`     ``rnn_step``, ``step_jacobian``, ``keep_half``, ``scissors`` (error flow through
                      time, and the paper's truncated gradient)
:mod:`.carousel`      ``cec_update``, ``carried_error``, ``settled_state``, ``forget_error_kept``,
                      ``forget_gate_update`` (the CEC, and the later forget gate)
:mod:`.gates`         ``cell_output`` (the output gate reading the cell)
:mod:`.tasks`         ``adding_inputs``, ``adding_target``, ``reber_embedded``, ``reber_allowed_next``,
                      ``temporal_order_class``, ``temporal_order_lags`` (the tasks as data)
:mod:`.criteria`      ``stop_3c``, ``sequences_before_run`` (success and stopping criteria)
:mod:`.compare`       ``stepwise_outputs`` (running any recurrent model one step per call)
:mod:`.capstone`      ``capstone_forward``, ``capstone_gradient``, ``capstone_sgd`` (the capstone lab: the
                      1997 cell, its truncated gradient and an SGD loop written by the learner)
====================  =========================================================================

:data:`MISTAKES` maps every check to the wrong answers it recognises, in the learner's format.
"""
from lstm_core.check import capstone, carousel, compare, criteria, gates, gradients, model, tasks
from lstm_core.check.capstone import *  # noqa: F401,F403
from lstm_core.check.carousel import *  # noqa: F401,F403
from lstm_core.check.compare import *  # noqa: F401,F403
from lstm_core.check.criteria import *  # noqa: F401,F403
from lstm_core.check.engine import (  # noqa: F401
    CASE_SECONDS, NOT_WRITTEN, STRICT_ENV, Case, CheckReport, Mistake, check_answer, check_function, check_value,
    close, is_stub,
)
from lstm_core.check.gates import *  # noqa: F401,F403
from lstm_core.check.gradients import *  # noqa: F401,F403
from lstm_core.check.model import *  # noqa: F401,F403
from lstm_core.check.tasks import *  # noqa: F401,F403

TOPICS = (model, gradients, carousel, gates, tasks, criteria, compare, capstone)

#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES = {name: mistakes for topic in TOPICS for name, mistakes in topic.MISTAKES.items()}

#: Every exercise's check, by name.
CHECKS = tuple(name for topic in TOPICS for name in topic.__all__)
