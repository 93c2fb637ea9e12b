"""Business context: the services an institution runs, what they are worth, how long their
data must stay secret, who they connect to, and which inventory assets they use.

:mod:`.model` holds the plain values; loading and validating files, storing a context in the
inventory and matching assets to services live beside it.
"""
