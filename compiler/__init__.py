"""schoolmdm: a declarative configuration compiler for school device fleets."""

__version__ = "0.1.0"
