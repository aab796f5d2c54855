"""A Jimu field type plugin: Chinese resident identity card numbers."""
