"""Saves and replays: the save format and its migrations, the one rule for writing files, where files go.
"""
