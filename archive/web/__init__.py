"""The archive in the browser: a small Datasette plugin, its templates and static files."""
