"""Exports: small, pure, deterministic renderings of inventory and risk data.

- :mod:`.backlog`: the ranked migration backlog as Jira / Azure DevOps CSV, JSON, Markdown;
- :mod:`.suppliers`: per vendor and product, what was found, what is unknown, what to ask.
"""
