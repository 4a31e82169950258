"""The turn: legality, costs, chance, effects, events, upkeep and the end, plus each side's view and the Game facade.
"""
