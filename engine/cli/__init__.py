"""The command line: the only place (besides the map front end) that prints."""
