"""Survey forms, QR codes and invitations."""
