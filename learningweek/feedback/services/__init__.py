"""Feedback's domain layer: `answers` (who may answer, when, and saving) and `results`
(what teachers and organizers see, anonymous and above a threshold)."""
