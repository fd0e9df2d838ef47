"""Renderers: IR, findings and changes into files and text. Nothing here writes to disk."""
