"""The risk model: pure functions over an inventory snapshot and a business context, ranking
migration items into an explainable backlog. networkx is used here and nowhere else.

:mod:`.model` holds the output values (ranked items with their factor breakdown).
"""
