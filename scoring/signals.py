"""Signals of the scoring app, for the apps above it.

`tree_stored` is sent inside the transaction that stored a new or changed criteria tree version, with
`tree`. A receiver returns a list of warnings (text); analysis lists the questionnaires whose `feeds:` no
longer name a code of the tree (docs/decisions.md D157). Warnings never reject the tree: the questionnaire
is the one to correct, and it can only be corrected against the new tree.
"""

from django.dispatch import Signal

tree_stored = Signal()
