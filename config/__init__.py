"""The project's configuration: settings read from the environment, root URLs, WSGI and ASGI entry points."""
