"""Data files of MyoCase (fonts, icons): installed as the package ``myocase.resources``."""
