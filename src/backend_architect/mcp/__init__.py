"""The Model Context Protocol server: the engine as tools for AI coding agents."""
