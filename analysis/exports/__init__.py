"""Respondent-level exports for analysts: one row per response, one column per question code across a
questionnaire's versions, in CSV, xlsx, Parquet, SPSS and Stata, with a codebook (docs/guides/exports.md).

`layout` (pure) turns versions into columns and answers into a frame; `writers` (pure) writes a frame in each
format; `service.export_responses` reads the campaign and records the export in the audit log.
"""
