"""Network targets: what the network collectors may contact, streamed from the user's specs.

- :mod:`.model`: :class:`~pqcscan.targets.model.Endpoint`, the unit of network work;
- :mod:`.specs`: target specs (names, literals, CIDR, ranges, ports, target files) checked up
  front and streamed as endpoints by :class:`~pqcscan.targets.specs.TargetPlan`, with the
  decisions on scope and unresolvable names;
- :mod:`.addresses`: address ranges as integer intervals (network/broadcast rule);
- :mod:`.ports`: port lists and the collectors' default ports;
- :mod:`.scope`: ``--allow`` / ``--exclude`` / scope files as sorted intervals;
- :mod:`.nmap`: nmap grepable and XML reports as targets.

This package imports nothing heavy on purpose: ``pqcscan.targets.model`` is imported by
every network collector.
"""
