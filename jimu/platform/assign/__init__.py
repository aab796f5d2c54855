"""Owner assignment by rules (the ``assign_owner`` action's platform side): pools of users,
the round-robin pointer, previous owners, the explanation, and the ``assign`` effect handler.
See docs/rules.md, "Assigning an owner"."""
