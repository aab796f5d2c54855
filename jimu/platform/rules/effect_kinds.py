"""The effect handlers the platform ships, registered by importing their modules here (one
line each); jimu.platform.rules.execute imports this module, so every worker knows them."""

from jimu.platform.assign import handler as _assign  # noqa: F401  (the assign effect)
from jimu.platform.pool import effects as _pool  # noqa: F401  (to_pool)

# The process engine's starter (start_process): installed once its modules are importable.
from jimu.platform.process import starter as _process_starter
from jimu.platform.rules import effect_handlers as _effect_handlers  # noqa: F401
from jimu.platform.rules import processes as _processes  # noqa: F401

_process_starter.install()
