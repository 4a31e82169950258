"""The bottom layer: plain data and primitives every other layer shares, with no scenario in them.

Game state records, the seeded dice, errors, the lifecycles of agreements and
of a game, and the turn clock. Nothing here imports anything above it.
"""
