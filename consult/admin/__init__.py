"""The secretariat's console: members, invitations, participants."""
