"""The audit engine (pandas): classification, timeline, measures and findings."""
