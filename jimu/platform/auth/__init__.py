"""Users, passwords, browser sessions, CSRF tokens and personal API tokens."""
