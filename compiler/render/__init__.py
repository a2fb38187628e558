"""Render stage: pure functions from a school's effective configuration to artifacts."""
