"""The rule engine in the platform: the published rules (``catalog``), the durable worker that
runs them on record events from the outbox (``worker``), the wake-up of workers (``wake``) and
the run log (``runs``). See docs/rules.md."""
