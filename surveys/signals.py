"""Signals of the surveys app, for the apps above it.

`checking_questionnaire` is sent while a questionnaire file is being loaded into a campaign, before anything
is stored, with `campaign`, `definition` (validated) and `file_name`. A receiver returns a list of problems
("path: message"); any problem rejects the load. analysis checks the `feeds:` codes against the campaign's
criteria tree and the SIPAS elements there (docs/decisions.md D157): surveys cannot import scoring.
"""

from django.dispatch import Signal

checking_questionnaire = Signal()
