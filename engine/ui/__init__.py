"""The pygame map front end: a client of the engine that renders states and submits orders."""
