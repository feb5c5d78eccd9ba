"""Views of the certification app, one module per part: profiles, objectives, scoring."""
