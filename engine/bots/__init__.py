"""Computer players: the doctrine bots that play a side through its view, one game or many at once.
"""
