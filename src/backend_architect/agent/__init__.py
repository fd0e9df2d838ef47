"""Agent definitions for AI coding hosts, wired to the MCP server."""
