"""Access: roles, data scopes, field rules and record shares, enforced in one place.

``policy`` combines a user's roles into what they may do with each entity (pure);
``loading`` reads roles, assignments and shares from the database; ``guarded`` wraps the
records service so that every read and write goes through the policy. See docs/access.md.
"""
