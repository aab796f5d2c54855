"""The platform: FastAPI app, settings, database, auth, API routers, CLI."""
