"""The reminder rules. Importing this package registers every rule (see base.register)."""

from importlib import import_module

from reminders.rules.base import all_rules, get_rule, register  # noqa: F401

# The rules modules, one per domain app; a module that does not exist yet is skipped.
RULE_MODULES = ("documents", "audits", "certification", "surveys")

for _name in RULE_MODULES:
    try:
        import_module(f"reminders.rules.{_name}")
    except ModuleNotFoundError as error:
        if error.name != f"reminders.rules.{_name}":
            raise
