"""Gettext catalogs (messages.pot and one messages.po per locale), compiled in memory at start-up."""
