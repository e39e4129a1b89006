"""The REST API: a FastAPI app factory, routers as thin adapters over the services, RFC 9457 errors."""
