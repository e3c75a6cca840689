"""`warroom serve`: the dashboard in a browser (the optional web extra)."""
