"""Many games and what they show: Monte Carlo runs, summaries, parameter sweeps, scenario checks, reviews.
"""
