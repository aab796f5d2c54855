"""What the condition builder needs from the server: the fields of an entity with the kind of
comparison each takes (``fields``), the ``$user`` values a condition may compare with
(``user_values``), and a condition checked and said in words (``explain``). See
docs/condition-builder.md."""
