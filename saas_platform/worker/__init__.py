"""The worker: relay, consumers, webhook dispatcher and scheduler (`saas-platform worker`)."""
