"""Assessments: questionnaires as data, responses, scoring, results and psychometrics."""
