"""The figures on screen (timeline, spaghetti, swimmer, cohort window) and what they share."""
