"""What people read, shared by the command line and the map: text made safe, descriptions, reports, charts.
"""
