# Admin for agreements, versions, transitions, phases, milestones, documents.
