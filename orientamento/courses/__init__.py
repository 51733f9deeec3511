"""Course directory: courses, sites, occupations and places, search, import and export."""
