/* Skip rules of a questionnaire in the browser: the rule of surveys.services.answers.is_visible (equals / in,
   against one value or a list; "3" and "3,0" are the same number). Shared by the respondent's page
   (survey.js) and the field entry page (fieldwork/entry.js). */
(function () {
  "use strict";

  function same(a, b) {
    a = String(a);
    b = String(b);
    if (a === b) return true;
    var x = Number(a.replace(",", "."));
    var y = Number(b.replace(",", "."));
    return a.trim() !== "" && b.trim() !== "" && !isNaN(x) && !isNaN(y) && x === y;
  }

  function conditionMet(condition, given) {
    if (given === undefined || given === null) return false;
    var wanted = Object.prototype.hasOwnProperty.call(condition, "equals") ? [condition.equals] : condition["in"];
    var values = Array.isArray(given) ? given : [given];
    return values.some(function (value) {
      return wanted.some(function (w) { return same(value, w); });
    });
  }

  window.SurveyConditions = { same: same, conditionMet: conditionMet };
})();
