"""Jimu (积木): an open-source, self-hostable no-code platform."""

__version__ = "0.1.0"
