"""The JSON API routers, all under ``/api``."""
