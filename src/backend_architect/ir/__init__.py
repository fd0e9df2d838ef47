"""The Architecture IR: see ``model`` for the models and ``query`` for read-only helpers."""
