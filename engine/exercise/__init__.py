"""Facilitator-scripted exercises: the script (timeline, injects, scripted moves), the control cell, the debrief.
"""
