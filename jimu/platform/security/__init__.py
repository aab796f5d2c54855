"""Security: the audit log of security events (see docs/security.md)."""
