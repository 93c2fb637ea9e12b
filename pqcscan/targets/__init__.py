"""Network targets: what the network collectors may contact, streamed from the user's specs.

:class:`~pqcscan.targets.model.Endpoint` is the unit of network work; parsing target specs,
port lists, scope (allow/exclude) and nmap output live in the modules beside it.
"""
