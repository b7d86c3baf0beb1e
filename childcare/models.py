"""Records of this pillar arrive with its own issue; the app exists so that URLs,
templates and permissions have their home from the first migration on."""
