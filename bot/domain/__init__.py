"""The domain: entities, rules and refusals of the e-branch workflow; pure Python, no I/O."""
