from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analysis and scoring")

    def ready(self):
        # Lower apps ask analysis through these, never by import (docs/architecture.md layers).
        from scoring import survey_points
        from scoring.signals import tree_stored
        from surveys.signals import checking_questionnaire

        from . import feeds
        from .jobs import register_jobs

        checking_questionnaire.connect(feeds.check_questionnaire, dispatch_uid="analysis-feeds-questionnaire")
        tree_stored.connect(feeds.check_tree, dispatch_uid="analysis-feeds-tree")
        survey_points.register(_assessment_survey_points)
        register_jobs()


def _assessment_survey_points(assessment):
    # analysis.indices brings pandas: imported when scoring first asks, not when Django starts (D401).
    from .indices import assessment_survey_points

    return assessment_survey_points(assessment)
