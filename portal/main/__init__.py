"""The home page, the language switch and the help pages."""
