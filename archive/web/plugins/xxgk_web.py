"""The plugin for a Datasette started with --plugins-dir, when the package's entry point is not
installed (an install older than the entry point): the same hooks, from archive.web.plugin."""
from archive.web.plugin import *  # noqa: F401,F403
from archive.web.safety import asgi_wrapper  # noqa: F401
