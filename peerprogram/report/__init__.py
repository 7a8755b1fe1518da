"""The top layer's yearly report: the programme's (the Centre) and a unit's (its leader)."""
