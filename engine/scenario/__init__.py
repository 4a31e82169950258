"""Scenarios as authors write them: the card model, safe YAML loading, cross-checks and the card language.

Everything an author can get wrong is found here, with FILE:LINE:COLUMN, before
a game starts. `language` lowers conditions and effects into functions over a
game state; `visibility` says which figures each side may see.
"""
