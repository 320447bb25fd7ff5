"""Consultation summaries: the pipeline that turns briefs and comments into a summary planners can trust."""
