"""Control-plane operations: provisioning, fleet migrations, backup and restore."""
