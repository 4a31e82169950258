"""The engine as an environment for outside agents (PettingZoo, Gymnasium).
"""
