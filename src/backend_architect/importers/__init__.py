"""Importers: existing artefacts -> the Architecture IR."""
