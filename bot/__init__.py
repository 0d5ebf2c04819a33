"""ebranch: the e-branch bot's platform-free core (model, rules, use cases) and its composition root."""

__version__ = "0.1.0"
