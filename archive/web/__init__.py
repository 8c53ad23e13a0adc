"""The archive in the browser: a Datasette plugin (registered under the `datasette` entry point
of the package, so any `datasette data/xxgk.db` loads it), its templates and static files."""
from .plugin import *  # noqa: F401,F403
from .safety import asgi_wrapper  # noqa: F401
